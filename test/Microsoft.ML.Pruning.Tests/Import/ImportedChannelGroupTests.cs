using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>The channel groups of imported graphs follow the data flow of their nodes: conv → batch norm → next conv,
/// a flatten into blocks of the next Gemm's inputs, residual adds tying their inputs' channels; what the analysis does
/// not follow stays whole.</summary>
public sealed class ImportedChannelGroupTests
{
    public ImportedChannelGroupTests() => NetworkTestCases.EnsureTorch();

    private static ChannelGroups Groups(string file) => ChannelGroups.Analyze(OnnxModelSource.Load(ImportTestSupport.ModelPath(file)));

    private static string Consumers(ChannelGroup group) => string.Join(",", group.Consumers.Select(c => c.Block == 1 ? c.Layer : $"{c.Layer}x{c.Block}"));

    [Fact]
    public void Mlp_EachHiddenLayerIsAGroup_TheOutputIsNot()
    {
        var groups = Groups("mlp.onnx");
        Assert.False(groups.InputOf("/fc1/Gemm").Group.Prunable);
        var fc1 = groups.OutputOf("/fc1/Gemm");
        Assert.True(fc1.Prunable);
        Assert.Equal(128, fc1.Channels);
        Assert.Equal("/fc2/Gemm", Consumers(fc1));
        Assert.Equal(new[] { "fc1_bias" }, fc1.CoupledKeys);
        Assert.True(groups.OutputOf("/fc2/Gemm").Prunable);
        Assert.False(groups.OutputOf("/fc3/Gemm").Prunable); // its outputs are the classes (before the LogSoftmax)
        Assert.Equal(2, groups.Prunable.Count());
    }

    [Fact]
    public void CnnWithBatchNorm_TheNormGoesWithItsConv_TheDynamicFlattenMakesBlocksOfFc1()
    {
        var groups = Groups("cnn_bn.onnx");
        var conv1 = groups.OutputOf("/conv1/Conv");
        Assert.True(conv1.Prunable);
        Assert.Equal(new[] { "/bn1/BatchNormalization" }, conv1.Norms);
        Assert.Equal(new[] { "conv1_bias", "bn1_weight", "bn1_bias" }, conv1.CoupledKeys);
        Assert.Equal("/conv2/Conv", Consumers(conv1));
        var conv2 = groups.OutputOf("/conv2/Conv");
        Assert.True(conv2.Prunable);
        Assert.Equal("/fc1/Gemm", Consumers(conv2).Split('x')[0]);
        Assert.Equal((conv2, 49), groups.InputOf("/fc1/Gemm")); // 16 channels of 7 x 7 after the view(N, -1)
        Assert.True(groups.OutputOf("/fc1/Gemm").Prunable);
        Assert.False(groups.OutputOf("/fc2/Gemm").Prunable);
    }

    [Fact]
    public void ResNet_ResidualAddsTieTheirInputs_TheFinalGemmIsNotPruned()
    {
        var groups = Groups("resnet.onnx");
        var stem = groups.OutputOf("/stem/Conv");
        Assert.True(stem.Prunable);
        Assert.True(stem.Residual);
        Assert.Same(stem, groups.OutputOf("/block1/conv2/Conv")); // block1 adds its input: one group with the stem
        Assert.Equal("/block1/conv1/Conv,/block2/conv1/Conv,/block2/shortcut/shortcut.0/Conv", Consumers(stem));
        var stage2 = groups.OutputOf("/block2/conv2/Conv");
        Assert.Same(stage2, groups.OutputOf("/block2/shortcut/shortcut.0/Conv"));
        Assert.True(stage2.Prunable);
        Assert.Equal("/fc/Gemm", Consumers(stage2)); // through global average pooling: one feature per channel
        // block2's bn2 bias and the shortcut's BN bias are one parameter (an Identity in the graph), in this one group.
        Assert.Contains("block2_bn2_bias", stage2.CoupledKeys);
        Assert.True(groups.OutputOf("/block1/conv1/Conv").Prunable);
        Assert.False(groups.OutputOf("/block1/conv1/Conv").Residual);
        Assert.False(groups.OutputOf("/fc/Gemm").Prunable);
        Assert.Equal(4, groups.Prunable.Count());
    }

    [Fact]
    public void Concat_LeavesBothInputGroupsWhole_TheOtherLayersStillPrunable()
    {
        var g = new TestGraph(13, new long[] { 1, 6, 6 });
        string a = Conv(g, g.Input, 1, 4), b = Conv(g, g.Input, 1, 4);
        string cat = g.Node("Concat", new[] { a, b }, Int("axis", 1));
        string c = g.Node("Relu", new[] { Conv(g, cat, 8, 5) });
        var source = OnnxModelSource.FromBytes(g.Build(g.Classifier(c, 5 * 36)), "concat");
        var groups = ChannelGroups.Analyze(source);
        Assert.False(groups.OutputOf(source.PrunableLayers[0].Name).Prunable);
        Assert.False(groups.OutputOf(source.PrunableLayers[1].Name).Prunable);
        Assert.Contains("(Concat), which the channel analysis does not follow", source.Channels.Reasons[groups.OutputOf(source.PrunableLayers[0].Name).Index]);
        Assert.True(groups.OutputOf(source.PrunableLayers[2].Name).Prunable); // read by the Flatten into the classifier
    }

    [Fact]
    public void GroupedConvolution_IsNotPruned_NorIsWhatItReads()
    {
        var g = new TestGraph(13, new long[] { 1, 6, 6 });
        string a = g.Node("Relu", new[] { Conv(g, g.Input, 1, 4) });
        string depthwise = g.Node("Conv", new[] { a, g.Weight(new long[] { 4, 1, 3, 3 }) }, Int("group", 4), Ints("pads", 1, 1, 1, 1));
        var source = OnnxModelSource.FromBytes(g.Build(g.Classifier(depthwise, 4 * 36)), "depthwise");
        var groups = ChannelGroups.Analyze(source);
        Assert.Empty(groups.Prunable);
        var e = Assert.Throws<ArgumentException>(() => PruningCriterion.Channels().CheckNetwork(source));
        Assert.StartsWith("'depthwise' has no channel group that channel pruning can shrink (", e.Message);
        Assert.Contains("grouped or depthwise convolution", e.Message);
    }

    [Fact]
    public void ReshapeToAConstantFeatureCount_AndTranspose_AreNotFollowed_AFlattenIs()
    {
        foreach (var (how, prunable) in new[] { ("flatten", true), ("reshape-1", true), ("reshape144", false), ("transpose", false) })
        {
            var g = new TestGraph(13, new long[] { 1, 6, 6 });
            string a = g.Node("Relu", new[] { Conv(g, g.Input, 1, 4) });
            string flat = how switch
            {
                "flatten" => g.Node("Flatten", new[] { a }, Int("axis", 1)),
                "reshape-1" => g.Node("Reshape", new[] { a, g.Longs(0, -1) }),
                "reshape144" => g.Node("Reshape", new[] { a, g.Longs(-1, 144) }),
                _ => g.Node("Flatten", new[] { g.Node("Transpose", new[] { a }, Ints("perm", 0, 2, 3, 1)) }, Int("axis", 1)),
            };
            string output = g.Node("Gemm", new[] { flat, g.Weight(new long[] { 10, 144 }), g.Weight(new long[] { 10 }) }, Int("transB", 1));
            var source = OnnxModelSource.FromBytes(g.Build(output), how);
            var groups = ChannelGroups.Analyze(source);
            var conv = groups.OutputOf(source.PrunableLayers[0].Name);
            Assert.True(prunable == conv.Prunable, how);
            if (prunable)
            {
                Assert.Equal((conv, 36), groups.InputOf(source.PrunableLayers[1].Name));
            }
        }
    }

    [Fact]
    public void ElementwiseWithAPerChannelConstant_IsNotPruned_WithAScalarItIs()
    {
        foreach (var (dims, prunable) in new[] { (new long[] { 1 }, true), (new long[] { 4, 1, 1 }, false) })
        {
            var g = new TestGraph(13, new long[] { 1, 6, 6 });
            string a = g.Node("Mul", new[] { Conv(g, g.Input, 1, 4), g.Weight(dims) });
            var source = OnnxModelSource.FromBytes(g.Build(g.Classifier(g.Node("Relu", new[] { a }), 4 * 36)), "mul");
            Assert.True(prunable == ChannelGroups.Analyze(source).OutputOf(source.PrunableLayers[0].Name).Prunable, string.Join(",", dims));
        }
    }

    [Fact]
    public void MatMulWithItsBiasAdd_IsAGroup_AndTheBiasGoesWithIt()
    {
        var g = new TestGraph(13, new long[] { 12 });
        string hidden = g.Node("Add", new[] { g.Node("MatMul", new[] { g.Input, g.Weight(new long[] { 12, 8 }) }), g.Weight(new long[] { 8 }, name: "hidden_bias") });
        string output = g.Node("MatMul", new[] { g.Node("Relu", new[] { hidden }), g.Weight(new long[] { 8, 3 }) });
        var source = OnnxModelSource.FromBytes(g.Build(output), "matmul");
        var groups = ChannelGroups.Analyze(source);
        var group = groups.OutputOf(source.PrunableLayers[0].Name);
        Assert.True(group.Prunable);
        Assert.Equal(new[] { "hidden_bias" }, group.CoupledKeys);
        Assert.Equal(source.PrunableLayers[1].Name, group.Consumers.Single().Layer);
    }

    private static string Conv(TestGraph g, string input, int inChannels, int outChannels) =>
        g.Node("Conv", new[] { input, g.Weight(new long[] { outChannels, inChannels, 3, 3 }), g.Weight(new long[] { outChannels }) }, Ints("pads", 1, 1, 1, 1));
}

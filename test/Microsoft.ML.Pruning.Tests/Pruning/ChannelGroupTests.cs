using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Onnx;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>The channel groups of the built-ins: chains, batch norms, flatten blocks, residual adds, input and output.</summary>
public sealed class ChannelGroupTests
{
    private static ChannelGroups Groups(string architecture, string shape, int features) =>
        ChannelGroups.Analyze(NetworkTestCases.Define(architecture, shape, features, 10));

    private static string Consumers(ChannelGroup g) => string.Join(",", g.Consumers.Select(c => c.Block == 1 ? c.Layer : $"{c.Layer}x{c.Block}"));

    [Fact]
    public void LeNet5_ChainsWithAFlattenBlockIntoTheFirstLinear_OutputLayerNotPruned()
    {
        var groups = Groups("lenet5", "1,28,28", 784);

        var prunable = groups.Prunable.ToList();
        Assert.Equal(new[] { "conv1", "conv2", "fc1", "fc2" }, prunable.Select(g => g.Name));
        Assert.Equal(new[] { "conv2", "fc1x25", "fc2", "fc3" }, prunable.Select(Consumers));
        Assert.Equal(new[] { 6, 16, 120, 84 }, prunable.Select(g => g.Channels));
        Assert.False(groups.OutputOf("fc3").Prunable);
        Assert.False(groups.InputOf("conv1").Group.Prunable);
        Assert.All(prunable, g => Assert.False(g.Residual));
    }

    [Fact]
    public void Conv2_FlattenMakesEachChannelABlockOfItsPixels()
    {
        var groups = Groups("conv2", "1,28,28", 784);

        var (group, block) = groups.InputOf("fc1");
        Assert.Equal("conv2", group.Name);
        Assert.Equal(14 * 14, block);
        Assert.True(group.Prunable);
    }

    [Fact]
    public void Vgg11_EachConvCarriesItsBatchNorm_GlobalPoolingFeedsOneFeaturePerChannel()
    {
        var groups = Groups("vgg11", "3,32,32", 3072);

        var prunable = groups.Prunable.ToList();
        Assert.Equal(8, prunable.Count);
        Assert.All(prunable, g => Assert.Equal(new[] { g.Name + "_bn" }, g.Norms));
        Assert.Equal("fc", Consumers(groups.OutputOf("conv8")));
    }

    [Fact]
    public void ResNet20_ResidualAddsTieEachStageIntoOneGroup_ShortcutsIncluded()
    {
        var groups = Groups("resnet20", "3,32,32", 3072);

        var stage1 = groups.OutputOf("conv1");
        Assert.True(stage1.Residual);
        Assert.Equal(new[] { "conv1", "stage1_block0.conv2", "stage1_block1.conv2", "stage1_block2.conv2" }, stage1.Producers);
        Assert.Equal("stage1_block0.conv1,stage1_block1.conv1,stage1_block2.conv1,stage2_block0.conv1,stage2_block0.shortcut_conv", Consumers(stage1));
        Assert.Contains("conv1_bn", stage1.Norms);

        var stage2 = groups.OutputOf("stage2_block0.shortcut_conv");
        Assert.Same(stage2, groups.OutputOf("stage2_block2.conv2"));
        Assert.Contains("stage2_block0.shortcut_bn", stage2.Norms);
        Assert.Equal("fc", Consumers(groups.OutputOf("stage3_block2.conv2")).Split(',')[^1]);

        // Inside a block, conv1's channels are a plain chain read by conv2.
        var inner = groups.OutputOf("stage2_block1.conv1");
        Assert.False(inner.Residual);
        Assert.Equal("stage2_block1.conv2", Consumers(inner));
        // 3 stage groups + 9 inner chains.
        Assert.Equal(12, groups.Prunable.Count());
    }

    [Fact]
    public void FlatResidualBlocks_TieTheBranchesAndTheirInputsAndTheOutputStaysWhole()
    {
        var groups = ChannelGroups.Analyze(OnnxTestNetworks.EveryLayerKind());

        // flat_res adds fc(x) + proj(x): one group, read by the output layer.
        var flat = groups.OutputOf("flat_res.fc");
        Assert.Same(flat, groups.OutputOf("flat_res.proj"));
        Assert.Equal("Score", Consumers(flat));
        // The identity block 'res' ties conv's channels to res.conv's; a flatten after 2x2 max pooling: blocks of 4.
        var res = groups.OutputOf("conv");
        Assert.Same(res, groups.OutputOf("res.conv"));
        Assert.Equal("res.conv,fc1x4", Consumers(res));
        Assert.False(groups.OutputOf("Score").Prunable);
    }

    [Fact]
    public void Mlp_InputIsNeverAGroupToPrune()
    {
        var groups = Groups("lenet300", "", 784);

        Assert.Equal(new[] { "fc1", "fc2" }, groups.Prunable.Select(g => g.Name));
        Assert.False(groups.InputOf("fc1").Group.Prunable);
    }
}

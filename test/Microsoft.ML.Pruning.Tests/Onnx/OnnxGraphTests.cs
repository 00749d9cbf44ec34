using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Networks;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>The graph's interface (names, types, shapes, versions), its operators per layer kind, and the exportability check.</summary>
public sealed class OnnxGraphTests
{
    public OnnxGraphTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void Model_HasIrVersion8_Opset17_FeaturesInput_ScoreAndPredictedLabelOutputs_WithSymbolicBatch()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 1);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.Export(network));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("Microsoft.ML.Pruning", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        Assert.Equal("lenet5", model.Graph.Name);

        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("Features", input.Name);
        AssertTensorType(input, TensorProto.Types.DataType.Float, "N", "784");
        Assert.Equal(new[] { "Score", "PredictedLabel" }, model.Graph.Output.Select(o => o.Name));
        AssertTensorType(model.Graph.Output[0], TensorProto.Types.DataType.Float, "N", "10");
        AssertTensorType(model.Graph.Output[1], TensorProto.Types.DataType.Int64, "N");

        // What ONNX Runtime reports to hosts such as ML.NET's OnnxTransformer (-1 = the symbolic batch dimension).
        using var session = OnnxTestSupport.Session(OnnxExporter.Export(network));
        Assert.Equal(new[] { -1, 784 }, session.InputMetadata["Features"].Dimensions);
        Assert.Equal(new[] { "N", "" }, session.InputMetadata["Features"].SymbolicDimensions);
        Assert.Equal(typeof(float), session.OutputMetadata["Score"].ElementType);
        Assert.Equal(new[] { -1, 10 }, session.OutputMetadata["Score"].Dimensions);
        Assert.Equal(typeof(long), session.OutputMetadata["PredictedLabel"].ElementType);
        Assert.Equal(new[] { -1 }, session.OutputMetadata["PredictedLabel"].Dimensions);
    }

    [Fact]
    public void LeNet5_MapsEachLayerToOneOperator_WithPyTorchAttributes()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 1);
        var graph = ModelProto.Parser.ParseFrom(OnnxExporter.Export(network)).Graph;

        Assert.Equal(
            new[] { "Reshape", "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax", "ArgMax" },
            graph.Node.Select(n => n.OpType));
        var conv1 = graph.Node.Single(n => n.Name == "conv1");
        Assert.Equal(new[] { "reshape", "conv1.weight", "conv1.bias" }, conv1.Input);
        Assert.Equal(new long[] { 5, 5 }, Attribute(conv1, "kernel_shape").Ints);
        Assert.Equal(new long[] { 2, 2, 2, 2 }, Attribute(conv1, "pads").Ints);
        Assert.Equal(new long[] { 1, 1 }, Attribute(conv1, "strides").Ints);
        var fc1 = graph.Node.Single(n => n.Name == "fc1");
        Assert.Equal(1, Attribute(fc1, "transB").I);
        Assert.Equal(new[] { "flatten", "fc1.weight", "fc1.bias" }, fc1.Input);
        var reshape = graph.Initializer.Single(t => t.Name == "reshape/shape");
        Assert.Equal(new long[] { 0, 1, 28, 28 }, Enumerable.Range(0, 4).Select(i => BitConverter.ToInt64(reshape.RawData.Span.Slice(i * 8, 8))));
        var softmax = graph.Node.Single(n => n.OpType == "Softmax");
        Assert.Equal(new[] { "fc3" }, softmax.Input);
        Assert.Equal(1, Attribute(softmax, "axis").I);
        var argMax = graph.Node.Single(n => n.OpType == "ArgMax");
        Assert.Equal(new[] { "Score" }, argMax.Input);
        Assert.Equal(0, Attribute(argMax, "keepdims").I);
    }

    [Fact]
    public void ResNet20_WritesBatchNormInEvaluationMode_ResidualAdds_AndGlobalPooling()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("resnet20", "3,32,32", 3072, 10), seed: 1);
        var graph = ModelProto.Parser.ParseFrom(OnnxExporter.Export(network)).Graph;

        Assert.Equal(21, graph.Node.Count(n => n.OpType == "Conv")); // 19 3x3 + 2 1x1 shortcuts
        Assert.Equal(21, graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.Equal(9, graph.Node.Count(n => n.OpType == "Add"));
        var bn = graph.Node.Single(n => n.Name == "stage2_block0.conv1_bn");
        Assert.Equal(
            new[] { "stage2_block0.conv1", "stage2_block0.conv1_bn.weight", "stage2_block0.conv1_bn.bias", "stage2_block0.conv1_bn.running_mean", "stage2_block0.conv1_bn.running_var" },
            bn.Input);
        Assert.Equal(1e-5f, Attribute(bn, "epsilon").F);
        Assert.DoesNotContain(bn.Attribute, a => a.Name == "training_mode");
        var add = graph.Node.Single(n => n.Name == "stage2_block0/add");
        Assert.Equal(new[] { "stage2_block0.conv2_bn", "stage2_block0.shortcut_bn" }, add.Input);
        var identityAdd = graph.Node.Single(n => n.Name == "stage1_block1/add");
        Assert.Equal(new[] { "stage1_block1.conv2_bn", "stage1_block0" }, identityAdd.Input);
        Assert.Equal(new[] { "GlobalAveragePool", "Flatten", "Gemm" }, graph.Node.SkipWhile(n => n.OpType != "GlobalAveragePool").Take(3).Select(n => n.OpType));
        Assert.DoesNotContain(graph.Initializer, t => t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
    }

    [Fact]
    public void Dropout_IsLeftOut_AndALayerNamedLikeAnOutput_GetsAnotherValueName()
    {
        using var conv = NetworkBuilder.Build(NetworkArchitecture.Conv2(dropout: 0.5).Define(3072, new Microsoft.ML.Pruning.Data.ImageShape(3, 32, 32), 10), seed: 1);
        var graph = ModelProto.Parser.ParseFrom(OnnxExporter.Export(conv)).Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType is "Dropout" or "Identity");
        Assert.Equal(new[] { "fc1_relu" }, graph.Node.Single(n => n.Name == "fc2").Input.Take(1));

        using var custom = NetworkBuilder.Build(OnnxTestNetworks.EveryLayerKind(), seed: 1);
        graph = ModelProto.Parser.ParseFrom(OnnxExporter.Export(custom)).Graph;
        Assert.Equal(new[] { "Score/out" }, graph.Node.Single(n => n.Name == "Score").Output);
        Assert.Single(graph.Node, n => n.Output.Contains("Score"));
    }

    [Fact]
    public void Export_IsDeterministic()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("resnet20", "3,32,32", 3072, 10), seed: 3);
        Assert.Equal(OnnxExporter.Export(network), OnnxExporter.Export(network));
    }

    [Fact]
    public void EnsureExportable_AcceptsEveryBuiltInArchitecture_AndEveryLayerKind()
    {
        foreach (var row in NetworkTestCases.BuiltIns)
        {
            var definition = NetworkTestCases.Define((string)row[0], (string)row[1], (int)row[2], (int)row[3]);
            OnnxExporter.EnsureExportable(definition);
        }

        OnnxExporter.EnsureExportable(OnnxTestNetworks.EveryLayerKind());
    }

    [Fact]
    public void EnsureExportable_RefusesAnUnknownLayerKind_NamingTheLayerAndItsType()
    {
        // NetworkDefinition itself refuses layer kinds it does not know, so the definition is made without its
        // constructor: what the check must still catch if the vocabulary grows ahead of the ONNX writer.
        var layers = new LayerSpec[]
        {
            new LinearLayer("fc1", 4, 4),
            new ResidualBlock("block", new LayerSpec[] { new ReluLayer("relu"), new UnknownLayer("mystery") }, Array.Empty<LayerSpec>()),
        };
        var definition = (NetworkDefinition)RuntimeHelpers.GetUninitializedObject(typeof(NetworkDefinition));
        SetBackingField(definition, nameof(NetworkDefinition.Name), "custom");
        SetBackingField(definition, nameof(NetworkDefinition.Layers), (IReadOnlyList<LayerSpec>)layers);

        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.EnsureExportable(definition));
        Assert.Contains("'block.mystery'", error.Message);
        Assert.Contains(nameof(UnknownLayer), error.Message);
        Assert.Contains("'custom'", error.Message);

        // The same check over a plain layer list (the branch the public method runs).
        error = Assert.Throws<NotSupportedException>(() => OnnxExporter.CheckLayers("custom", new LayerSpec[] { new UnknownLayer("odd") }, prefix: ""));
        Assert.Contains("'odd'", error.Message);
    }

    private static void AssertTensorType(ValueInfoProto value, TensorProto.Types.DataType type, params string[] dims)
    {
        Assert.Equal((int)type, value.Type.TensorType.ElemType);
        Assert.Equal(dims, value.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static AttributeProto Attribute(NodeProto node, string name) => node.Attribute.Single(a => a.Name == name);

    private static void SetBackingField<T>(NetworkDefinition target, string property, T value) =>
        typeof(NetworkDefinition).GetField($"<{property}>k__BackingField", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!
            .SetValue(target, value);

    /// <summary>A layer kind the ONNX writer has never heard of.</summary>
    private sealed record UnknownLayer(string Name) : LayerSpec(Name)
    {
        public override string Describe() => "Mystery";
    }
}

using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using TorchSharp;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// Every storage mode of every built-in writes a file the ONNX checker accepts: enforced here by
/// <see cref="OnnxSpecValidator"/> (its rules, without Python), which is itself shown to catch each way a writer could
/// break them. The real checker's run over the same files is <c>test/Microsoft.ML.Pruning.Benchmarks/OnnxChecker</c>.
/// </summary>
public sealed class OnnxSpecValidityTests
{
    public OnnxSpecValidityTests() => NetworkTestCases.EnsureTorch();

    [Theory]
    [MemberData(nameof(NetworkTestCases.BuiltIns), MemberType = typeof(NetworkTestCases))]
    public void EveryStorageMode_OfEveryBuiltIn_FollowsTheCheckersRules(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 3);

        // Layers alternately at 50% and 90% sparsity, on both sides of the one-third break-even: Auto mixes both forms.
        Sparsify(network, layer => layer % 2 == 0 ? 0.5 : 0.9);
        var mixed = OnnxExporter.CreateModel(network, new OnnxExportOptions { Storage = OnnxStorage.Auto });
        OnnxSpecValidator.AssertValid(mixed, $"{architecture} {shape} auto, mixed");
        Assert.Equal(definition.PrunableLayers.Count / 2, OnnxTestSupport.SparseWeights(mixed.Graph).Count);

        Sparsify(network, _ => 0.9);
        long nonZeros = network.PrunableLayers.Sum(l => l.Weight.count_nonzero().item<long>());
        foreach (var storage in new[] { OnnxStorage.Dense, OnnxStorage.Sparse, OnnxStorage.Auto })
        {
            var bytes = OnnxExporter.Export(network, new OnnxExportOptions { Storage = storage });
            OnnxSpecValidator.AssertValid(ModelProto.Parser.ParseFrom(bytes), $"{architecture} {shape} {storage}");

            // inspect finds every weight, whichever way it is stored.
            var info = OnnxModelInfo.FromBytes(bytes);
            var weights = info.Initializers.Where(i => i.IsPrunableWeight).ToList();
            Assert.Equal(definition.PrunableLayers.Count, weights.Count);
            Assert.Equal(definition.PrunableWeightCount, info.PrunableWeightCount);
            Assert.Equal(nonZeros, info.PrunableNonZeros);
            var expected = storage == OnnxStorage.Dense ? OnnxTensorStorage.Initializer : OnnxTensorStorage.SparseConstant;
            Assert.All(weights, w => Assert.Equal(expected, w.Storage));
            Assert.All(weights, w => Assert.Equal(storage != OnnxStorage.Dense, w.Sparse));
        }
    }

    /// <summary>Ways a writer could break the checker's rules, each made from a valid sparse LeNet-300-100 file.</summary>
    public static TheoryData<string, string> Breakages => new()
    {
        { "sparse initializer feeding Gemm", "is a sparse initializer, typed sparse_tensor" },
        { "Constant after its reader", "topologically sorted" },
        { "Constant with two values", "exactly one attribute" },
        { "Constant with a mistyped value", "must be of type SparseTensor" },
        { "duplicate initializer", "is not unique" },
        { "output assigned twice", "single static assignment" },
        { "indices out of order", "not in ascending order" },
        { "indices out of range", "out of range" },
        { "raw data too short", "raw_data has" },
        { "zero dimension in a sparse shape", "positive dimensions" },
        { "graph output never produced", "produced by no node" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void Validator_CatchesEachBreakage(string breakage, string expectedProblem)
    {
        var model = SparseLeNet300();
        Assert.Empty(OnnxSpecValidator.Problems(model));
        var graph = model.Graph;
        var constant = graph.Node.First(n => n.OpType == "Constant");
        var sparse = constant.Attribute[0].SparseTensor;
        switch (breakage)
        {
            case "sparse initializer feeding Gemm":
                graph.Node.Remove(constant);
                graph.SparseInitializer.Add(sparse);
                break;
            case "Constant after its reader":
                graph.Node.Remove(constant);
                graph.Node.Add(constant);
                break;
            case "Constant with two values":
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = sparse.Values });
                break;
            case "Constant with a mistyped value":
                constant.Attribute[0].Type = AttributeProto.Types.AttributeType.Tensor;
                break;
            case "duplicate initializer":
                graph.Initializer.Add(graph.Initializer[0].Clone());
                break;
            case "output assigned twice":
                graph.Node.Add(new NodeProto { OpType = "Relu", Name = "again", Input = { OnnxExporter.InputName }, Output = { graph.Node.Last().Output[0] } });
                break;
            case "indices out of order":
                sparse.Indices = Reversed(sparse.Indices);
                break;
            case "indices out of range":
                sparse.Dims[0] = 1;
                break;
            case "raw data too short":
                graph.Initializer[0].RawData = ByteString.CopyFrom(graph.Initializer[0].RawData.Span[..^4]);
                break;
            case "zero dimension in a sparse shape":
                sparse.Dims[1] = 0;
                break;
            case "graph output never produced":
                graph.Output[0].Name = "nowhere";
                break;
        }

        var problems = OnnxSpecValidator.Problems(model);
        Assert.Contains(problems, p => p.Contains(expectedProblem, StringComparison.Ordinal));
    }

    [Fact]
    public void SparseWeightAddedToAGraphWhoseReaderExistsAlready_GoesBeforeIt_AndScores()
    {
        // The case of an imported graph written back: its nodes are there before its weights are stored again.
        var graph = new GraphProto { Name = "existing" };
        graph.Input.Add(Value("x", 1, 3));
        graph.Output.Add(Value("y", 1, 2));
        graph.Node.Add(new NodeProto { OpType = "Relu", Name = "relu", Input = { "x" }, Output = { "h" } });
        graph.Node.Add(new NodeProto
        {
            OpType = "Gemm", Name = "fc", Input = { "h", "w" }, Output = { "y" },
            Attribute = { new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
        });
        float[] w = { 0, 2, 0, 0, 0, -3 };
        OnnxWeightStorage.Add(graph, "w", new long[] { 2, 3 }, w, OnnxStorage.Sparse);
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = OnnxExporter.OpsetVersion } } };

        Assert.Equal("Constant", graph.Node[0].OpType);
        OnnxSpecValidator.AssertValid(model, "weight added after its reader");
        using var session = new InferenceSession(model.ToByteArray());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[] { 1, -5, 7 }, new long[] { 1, 3 });
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { "x" }, new[] { input }, new[] { "y" });
        Assert.Equal(new float[] { 0, -21 }, outputs[0].GetTensorDataAsSpan<float>().ToArray()); // relu(x) = [1, 0, 7]

        var e = Assert.Throws<InvalidOperationException>(() => OnnxWeightStorage.Add(graph, "h", new long[] { 1 }, new float[] { 1 }, OnnxStorage.Dense));
        Assert.Contains("'h'", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => OnnxWeightStorage.Add(graph, "x", new long[] { 3 }, new float[] { 0, 0, 1 }, OnnxStorage.Sparse));
        Assert.Contains("graph input", e.Message);
        OnnxWeightStorage.Add(graph, "x", new long[] { 1, 3 }, new float[] { 0, 0, 1 }, OnnxStorage.Dense); // a default for the input: allowed
        OnnxSpecValidator.AssertValid(model, "an initializer named like a graph input");
    }

    private static ModelProto SparseLeNet300()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4);
        Prune(network, PruningScope.Layerwise, 0.9);
        return OnnxExporter.CreateModel(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
    }

    private static void Prune(PrunableNetwork network, PruningScope scope, double rate)
    {
        using var masks = new MaskSet(network);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), scope);
    }

    /// <summary>Zeros a seeded random fraction of each prunable weight (cheap on VGG-16's 15M weights, unlike a
    /// magnitude threshold; the storage writer only sees where the zeros are).</summary>
    private static void Sparsify(PrunableNetwork network, Func<int, double> rate)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new torch.Generator(17);
        for (int i = 0; i < network.PrunableLayers.Count; i++)
        {
            var weight = network.PrunableLayers[i].Weight;
            weight.mul_(torch.rand(weight.shape, generator: generator).ge(rate(i)).to(weight.dtype));
        }
    }

    private static TensorProto Reversed(TensorProto indices)
    {
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(indices.RawData.Span).ToArray();
        Array.Reverse(values);
        var reversed = indices.Clone();
        reversed.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return reversed;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}

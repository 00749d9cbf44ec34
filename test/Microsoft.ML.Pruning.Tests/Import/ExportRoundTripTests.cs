using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Onnx;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>An imported network is written back as the user's own graph: unchanged interface and nodes, the
/// network's current weights and statistics, this library's metadata.</summary>
public sealed class ExportRoundTripTests
{
    public ExportRoundTripTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string> Models => ImportTestSupport.PyTorchModels;

    [Theory]
    [MemberData(nameof(Models))]
    public void WithoutPruning_OnnxRuntimeOutputsEqualTheOriginals_AndTheInterfaceIsUnchanged(string file)
    {
        var original = ImportTestSupport.ModelBytes(file);
        var source = OnnxModelSource.FromBytes(original, file);
        using var network = source.Build(seed: 0);
        var metadata = new Dictionary<string, string> { ["method"] = "dense" };
        var exported = OnnxExporter.Export(network, new OnnxExportOptions { Metadata = metadata });

        var rows = ImportTestSupport.Rows(37, source.InputFeatures);
        var shape = ImportTestSupport.InputShape(source, 37);
        var (expected, _) = ImportTestSupport.RunOnnx(original, source.InputName, rows, shape);
        var (actual, _) = ImportTestSupport.RunOnnx(exported, source.InputName, rows, shape);
        Assert.True(ImportTestSupport.MaxAbsDifference(expected, actual) <= 1e-6f, $"{file}: {ImportTestSupport.MaxAbsDifference(expected, actual)}");

        var before = ModelProto.Parser.ParseFrom(original);
        var after = ModelProto.Parser.ParseFrom(exported);
        Assert.Equal(before.Graph.Input, after.Graph.Input);
        Assert.Equal(before.Graph.Output, after.Graph.Output);
        Assert.Equal(before.OpsetImport, after.OpsetImport);
        Assert.Equal(before.IrVersion, after.IrVersion);
        Assert.Equal(before.Graph.Node.Select(n => (n.Name, n.OpType)), after.Graph.Node.Select(n => (n.Name, n.OpType)));
        Assert.Contains(after.MetadataProps, p => p.Key == "method" && p.Value == "dense");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Pruned_EveryStorageMode_IsSpecValid_AndScoresAsTheNetwork(string file)
    {
        var source = OnnxModelSource.FromBytes(ImportTestSupport.ModelBytes(file), file);
        using var network = source.Build(seed: 0);
        OnnxTestSupport.Prune(network, 0.8);
        var rows = ImportTestSupport.Rows(9, source.InputFeatures);
        var expected = ImportTestSupport.ImportedOutputs(network, rows, 9);
        foreach (var storage in new[] { OnnxStorage.Dense, OnnxStorage.Sparse, OnnxStorage.Auto })
        {
            var exported = OnnxExporter.Export(network, new OnnxExportOptions { Storage = storage });
            OnnxSpecValidator.AssertValid(ModelProto.Parser.ParseFrom(exported), $"{file} {storage}");
            var (actual, _) = ImportTestSupport.RunOnnx(exported, source.InputName, rows, ImportTestSupport.InputShape(source, 9));
            Assert.True(ImportTestSupport.MaxRelativeDifference(expected, actual) < 1e-5f, $"{file} {storage}");
            Assert.InRange(OnnxModelInfo.FromBytes(exported).Sparsity, 0.79, 0.81);
        }
    }

    [Fact]
    public void PrunedWeights_AreWrittenInTheGraphsLayout_DenseOrSparse()
    {
        // Gemm with transB = 0 and MatMul store [in, out]; the network stores [out, in] and must transpose back.
        var g = new TestGraph(13, new long[] { 12 });
        string hidden = g.Node("Relu", new[] { g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 12, 16 }), g.Weight(new long[] { 16 }) }) });
        string output = g.Node("Add", new[] { g.Node("MatMul", new[] { hidden, g.Weight(new long[] { 16, 10 }) }), g.Weight(new long[] { 10 }) });
        var source = OnnxModelSource.FromBytes(g.Build(output), "transposed");
        Assert.Equal(new long[] { 16, 12 }, source.PrunableLayers[0].WeightShape);
        Assert.Equal(new long[] { 10, 16 }, source.PrunableLayers[1].WeightShape);
        using var network = source.Build(seed: 0);
        OnnxTestSupport.Prune(network, 0.6);
        var rows = ImportTestSupport.Rows(9, 12);
        var expected = ImportTestSupport.ImportedOutputs(network, rows, 9);
        foreach (var storage in new[] { OnnxStorage.Dense, OnnxStorage.Sparse })
        {
            var exported = OnnxExporter.Export(network, new OnnxExportOptions { Storage = storage });
            var (actual, _) = ImportTestSupport.RunOnnx(exported, "x", rows, new long[] { 9, 12 });
            Assert.True(ImportTestSupport.MaxAbsDifference(expected, actual) < 1e-5f, $"{storage}");
            var info = OnnxModelInfo.FromBytes(exported);
            Assert.InRange(info.Sparsity, 0.59, 0.61);
            Assert.Equal(storage == OnnxStorage.Sparse, info.Initializers.Where(i => i.IsPrunableWeight).All(i => i.Sparse));
        }
    }

    [Fact]
    public void TrainedBatchNormStatistics_AreWrittenBack_AndAnIdentityMakingAStatisticBecomesAnInitializer()
    {
        // PyTorch writes equal tensors once and Identity copies of them (a fresh batch norm's running variance equals its
        // scale): training makes them differ, so the copy must become a value of its own.
        var g = new TestGraph(13, new long[] { 12 });
        string scale = g.Weight(new long[] { 10 }, 1, 1.0001);
        string variance = g.Node("Identity", new[] { scale });
        string gemm = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }), g.Weight(new long[] { 10 }) }, Int("transB", 1));
        string norm = g.Node("BatchNormalization", new[] { gemm, scale, g.Weight(new long[] { 10 }), g.Weight(new long[] { 10 }), variance });
        var source = OnnxModelSource.FromBytes(g.Build(norm), "statistics");
        using var network = source.Build(seed: 0);
        using (var scope = NewDisposeScope())
        {
            network.train();
            network.call(torch.tensor(ImportTestSupport.Rows(64, 12, seed: 9), new long[] { 64, 12 }) * 3);
        }

        var rows = ImportTestSupport.Rows(7, 12);
        var expected = ImportTestSupport.ImportedOutputs(network, rows, 7);
        var exported = OnnxExporter.Export(network);
        var (actual, _) = ImportTestSupport.RunOnnx(exported, "x", rows, new long[] { 7, 12 });
        Assert.True(ImportTestSupport.MaxAbsDifference(expected, actual) < 1e-5f);
        var model = ModelProto.Parser.ParseFrom(exported);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Identity");
        Assert.Contains(model.Graph.Initializer, t => t.Name == variance);
        var (original, _) = ImportTestSupport.RunOnnx(g.Build(norm), "x", rows, new long[] { 7, 12 });
        Assert.True(ImportTestSupport.MaxAbsDifference(original, actual) > 1e-3f, "training changed the statistics, so the outputs must differ");
    }
}

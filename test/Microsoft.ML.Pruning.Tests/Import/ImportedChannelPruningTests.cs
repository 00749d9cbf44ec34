using Google.Protobuf;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>Channel pruning of the committed PyTorch models: every method prunes whole channels with their biases and
/// batch-norm channels held at zero, and the compacted export (ONNX Runtime) computes what the masked network does,
/// with smaller weights and the user's interface unchanged.</summary>
public sealed class ImportedChannelPruningTests
{
    private const float Tolerance = 1e-4f;
    private const int Batch = 17;
    private readonly ITestOutputHelper _output;

    public ImportedChannelPruningTests(ITestOutputHelper output)
    {
        _output = output;
        NetworkTestCases.EnsureTorch();
    }

    [Theory]
    [MemberData(nameof(ImportTestSupport.PyTorchModels), MemberType = typeof(ImportTestSupport))]
    public void ChannelPruned_CompactedExport_MatchesTheMaskedNetwork_WithSmallerWeights(string file)
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath(file));
        using var network = source.Build(seed: 0);
        using (var masks = new MaskSet(network))
        {
            PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());
        }

        var rows = ImportTestSupport.Rows(Batch, source.InputFeatures);
        var expected = ImportTestSupport.ImportedOutputs(network, rows, Batch);
        var model = OnnxExporter.CreateModel(network, new OnnxExportOptions { Compact = true, Storage = OnnxStorage.Auto });
        OnnxSpecValidator.AssertValid(model, file + " compacted");
        var (actual, shape) = ImportTestSupport.RunOnnx(model.ToByteArray(), source.InputName, rows, ImportTestSupport.InputShape(source, Batch));
        Assert.Equal(new long[] { Batch, source.OutputWidth }, shape);
        float error = ImportTestSupport.MaxAbsDifference(expected, actual);

        var original = ModelProto.Parser.ParseFrom(ImportTestSupport.ModelBytes(file));
        Assert.Equal(original.Graph.Input, model.Graph.Input);
        Assert.Equal(original.Graph.Output, model.Graph.Output);
        Assert.Equal(original.Graph.Node.Select(n => n.Name), model.Graph.Node.Select(n => n.Name));
        var before = WeightShapes(original, source);
        var after = WeightShapes(model, source);
        var groups = ChannelGroups.Analyze(source);
        foreach (var layer in source.PrunableLayers)
        {
            // A layer shrinks where it produces or reads a pruned group; the others keep their shapes.
            bool touched = groups.OutputOf(layer.Name).Prunable || groups.InputOf(layer.Name).Group.Prunable;
            long full = before[layer.Name].Aggregate(1L, (a, d) => a * d), compact = after[layer.Name].Aggregate(1L, (a, d) => a * d);
            _output.WriteLine($"{file} {layer.Name}: [{string.Join(", ", before[layer.Name])}] -> [{string.Join(", ", after[layer.Name])}]");
            // Half of every pruned group's channels go (rounded up), so a touched layer keeps at most half its weights.
            Assert.True(touched ? compact * 2 <= full : compact == full, $"{layer.Name}: {full} -> {compact}");
        }

        _output.WriteLine($"{file}: max |output error| {error:E2}");
        Assert.True(error <= Tolerance, $"{file}: max |output difference| {error:E2} > {Tolerance:E0}");
    }

    [Fact]
    public void GlobalScopeWithL2_RanksAllGroupsTogether_AndTheCompactedFileStillMatches()
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("resnet.onnx"));
        using var network = source.Build(seed: 0);
        int before, after;
        using (var masks = new MaskSet(network))
        {
            var groups = ChannelGroups.Analyze(source).Prunable.ToList();
            before = groups.Sum(g => g.Channels);
            PruningCriterion.Channels(ChannelNorm.L2).Prune(masks, PruningRate.Fixed(0.4), PruningScope.Global, Array.Empty<LayerPruningOverride>());
            var alive = groups.Select(g => ChannelCriterion.Alive(masks, g).Count).ToList();
            after = alive.Sum();
            // One ranking over all groups: 40 % of all channels go, not 40 % of each group.
            Assert.Equal(before - (int)Math.Round(0.4 * before, MidpointRounding.AwayFromZero), after);
            Assert.Contains(groups.Zip(alive), p => Math.Abs(p.Second - p.First.Channels * 0.6) >= 1);
        }

        var rows = ImportTestSupport.Rows(Batch, source.InputFeatures);
        var expected = ImportTestSupport.ImportedOutputs(network, rows, Batch);
        var model = OnnxExporter.Export(network, new OnnxExportOptions { Compact = true });
        var (actual, _) = ImportTestSupport.RunOnnx(model, source.InputName, rows, ImportTestSupport.InputShape(source, Batch));
        float error = ImportTestSupport.MaxAbsDifference(expected, actual);
        Assert.True(error <= Tolerance, $"max |output difference| {error:E2}");
    }

    [Fact]
    public void WithoutCompaction_TheImportedShapesStay()
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("cnn_bn.onnx"));
        using var network = source.Build(seed: 0);
        using (var masks = new MaskSet(network))
        {
            PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());
        }

        var model = OnnxExporter.CreateModel(network, new OnnxExportOptions());
        var original = ModelProto.Parser.ParseFrom(ImportTestSupport.ModelBytes("cnn_bn.onnx"));
        Assert.Equal(WeightShapes(original, source), WeightShapes(model, source));
    }

    public static TheoryData<string, string> MethodsOnModels => new()
    {
        { "lth", "cnn_bn.onnx" }, { "imp-ar", "cnn_bn.onnx" }, { "icp-if", "cnn_bn.onnx" }, { "icp-gf-sap", "cnn_bn.onnx" },
        { "icp-if", "resnet.onnx" },
    };

    [Theory]
    [MemberData(nameof(MethodsOnModels))]
    public void EveryMethod_PrunesWholeChannels_WithTheirBiasAndNormHeldAtZero(string method, string file)
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath(file));
        var options = PruningMethods.Apply(method, FastOptions() with { PretrainEpochs = 0, Criterion = PruningCriterion.Channels() }, epochsPerRound: 1, rate: 0.3);
        using var result = new IterativePruner(options).Run(source, Digits);
        Assert.Equal("channel-l1", result.Report.Criterion);
        // The PQ-index rate of sap methods is adaptive and small on a network this dense in its information.
        Assert.True(result.Masks.Sparsity > (method.EndsWith("sap", StringComparison.Ordinal) ? 0 : 0.1), $"{method}: sparsity {result.Masks.Sparsity}");
        var state = result.Network.state_dict();
        int removed = 0;
        foreach (var group in ChannelGroups.Analyze(source).Prunable)
        {
            var alive = ChannelCriterion.Alive(result.Masks, group).ToHashSet();
            Assert.NotEmpty(alive);
            Assert.NotEmpty(group.CoupledKeys); // every group of these models has a bias or a batch norm
            foreach (string key in group.CoupledKeys)
            {
                var values = Values(state[key]);
                for (int c = 0; c < group.Channels; c++)
                {
                    Assert.True(alive.Contains(c) || values[c] == 0, $"{method} {key}[{c}] = {values[c]} after training, for a removed channel");
                }
            }

            removed += group.Channels - alive.Count;
        }

        Assert.True(removed > 0);
        var rows = ImportTestSupport.Rows(Batch, source.InputFeatures);
        var expected = ImportTestSupport.ImportedOutputs(result.Network, rows, Batch);
        var model = OnnxExporter.Export(result.Network, new OnnxExportOptions { Compact = true });
        var (actual, _) = ImportTestSupport.RunOnnx(model, source.InputName, rows, ImportTestSupport.InputShape(source, Batch));
        float error = ImportTestSupport.MaxAbsDifference(expected, actual);
        Assert.True(error <= Tolerance, $"{method} {file}: max |output difference| {error:E2}");
    }

    [Fact]
    public void AModelWithNoPrunableChannelGroup_IsRefusedBeforeAnyTraining()
    {
        var g = new TestGraph(13, new long[] { 784 });
        var source = OnnxModelSource.FromBytes(g.Build(g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 784 }) }, TestGraph.Int("transB", 1))), "linear.onnx");
        var options = FastOptions() with { Criterion = PruningCriterion.Channels() };
        var progress = new List<PruningProgress>();
        var e = Assert.Throws<ArgumentException>(() => new IterativePruner(options).Run(source, Digits, new SynchronousProgress(progress.Add)));
        Assert.StartsWith("'linear.onnx' has no channel group that channel pruning can shrink", e.Message);
        Assert.Empty(progress);
    }

    private sealed class SynchronousProgress(Action<PruningProgress> report) : IProgress<PruningProgress>
    {
        public void Report(PruningProgress value) => report(value);
    }

    private static Dictionary<string, long[]> WeightShapes(ModelProto model, OnnxModelSource source)
    {
        var info = OnnxModelInfo.FromBytes(model.ToByteArray());
        var graph = source.Graph;
        return graph.Layers.ToDictionary(l => l.Info.Name, l => info.Initializers.Single(i => i.Name == graph.Tensors[l.Weight].ValueName).Shape.ToArray());
    }
}

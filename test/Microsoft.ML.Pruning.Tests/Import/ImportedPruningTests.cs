using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Pruning;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>The engine prunes an imported model like a built-in one: every method and rewind point, starting from the
/// imported weights, with ICP's flows measured on the imported graph.</summary>
public sealed class ImportedPruningTests
{
    private static readonly Lazy<OnnxModelSource> Mlp = new(() => OnnxModelSource.Load(ImportTestSupport.ModelPath("mlp.onnx")));

    public ImportedPruningTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string> Methods => new() { "lth", "imp", "imp-ar", "sap", "icp-if", "icp-gf", "icp-if-sap" };

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryMethod_PrunesTheImportedModel_WithoutPreTraining(string method)
    {
        var options = PruningMethods.Apply(method, FastOptions() with { PretrainEpochs = 0 }, epochsPerRound: 1, rate: 0.2);
        using var result = new IterativePruner(options).Run(Mlp.Value, Digits);
        Assert.Equal(0, result.Report.Dense!.Epochs);
        Assert.Equal(2, result.Report.Rounds.Count);
        Assert.All(result.Report.Rounds, r => Assert.InRange(r.Epochs, 0.25, 1)); // adaptive methods decide every quarter epoch
        Assert.True(result.Masks.Sparsity > 0.05, $"{method}: sparsity {result.Masks.Sparsity}");
        if (!method.EndsWith("sap", StringComparison.Ordinal))
        {
            Assert.Equal(0.36, result.Masks.Sparsity, 2);
        }
    }

    [Fact]
    public void TheDenseReference_IsTheImportedModel_AndLthRewindsToItsWeights()
    {
        // One dense epoch moves the weights away from the imported ones; lth still rewinds to the imported weights (its
        // "initialisation"), imp-ar to the weights after that epoch.
        using var built = Mlp.Value.Build(seed: 0);
        var imported = StateBytes(built);
        const string bias = "fc1_bias"; // never pruned: compares whole
        foreach (var rewind in new[] { RewindPoint.Init, RewindPoint.Dense })
        {
            var recorder = new StateRecordingPolicy(StoppingPolicy.FixedEpochs(1));
            var options = FastOptions() with { PretrainEpochs = 1, Rewind = rewind, Stopping = recorder, Rounds = 1 };
            using var result = new IterativePruner(options).Run(Mlp.Value, Digits);
            Assert.False(recorder.Dense![bias].SequenceEqual(imported[bias]), "the dense epoch trained");
            var expected = rewind == RewindPoint.Init ? imported[bias] : recorder.Dense[bias];
            Assert.Equal(expected, recorder.AtRoundStart[0][bias]);
        }
    }

    [Fact]
    public void WithoutPreTraining_TheDenseAccuracyIsTheImportedModels()
    {
        var options = FastOptions() with { PretrainEpochs = 0, Rounds = 0 };
        using var result = new IterativePruner(options).Run(Mlp.Value, Digits);
        using var network = Mlp.Value.Build(seed: 0);
        using var test = new Microsoft.ML.Pruning.Data.TensorBatches(Digits.Test, 1);
        using var trainer = new Microsoft.ML.Pruning.Training.Trainer(network, options.Training);
        Assert.Equal(trainer.Evaluate(test).Accuracy, result.Report.Dense!.TestAccuracy);
    }

    [Fact]
    public void Flows_AreMeasuredOnTheImportedGraph_ShortcutLeftOutOfInformationFlow()
    {
        var resnet = OnnxModelSource.Load(ImportTestSupport.ModelPath("resnet.onnx"));
        using var network = resnet.Build(seed: 0);
        using var probe = new FlowProbe(Digits.Train, 64, seed: 1);
        var flows = probe.Measure(network, FlowKind.Information | FlowKind.Gradient);
        Assert.Equal(5, flows.Information!.Count); // 6 main-path layers: 5 consecutive pairs
        Assert.Equal(7, flows.Gradient!.Count);
        Assert.All(flows.Information.Concat(flows.Gradient), f => Assert.True(double.IsFinite(f)));
        Assert.All(flows.Gradient, f => Assert.True(f > 0));
    }

    [Fact]
    public void Observer_SeesEachLayersOutputBeforeItsActivation()
    {
        var g = new TestGraph(13, new long[] { 12 });
        string w = g.Weight(new long[] { 8, 12 }), b = g.Weight(new long[] { 8 });
        string hidden = g.Node("Relu", new[] { g.Node("Gemm", new[] { g.Input, w, b }, TestGraph.Int("transB", 1)) });
        var source = OnnxModelSource.FromBytes(g.Build(g.Node("Gemm", new[] { hidden, g.Weight(new long[] { 10, 8 }) }, TestGraph.Int("transB", 1))), "observed");
        using var network = source.Build(seed: 0);
        using var scope = NewDisposeScope();
        var x = torch.tensor(ImportTestSupport.Rows(5, 12), new long[] { 5, 12 });
        var seen = new List<(int, Tensor)>();
        network.PrunableOutputObserver = (i, output) => seen.Add((i, output.detach().clone()));
        network.eval();
        network.call(x);
        Assert.Equal(new[] { 0, 1 }, seen.Select(s => s.Item1));
        var expected = nn.functional.linear(x, network.PrunableLayers[0].Weight, network.PrunableLayers[0].Bias);
        Assert.True(torch.allclose(expected, seen[0].Item2));
        Assert.True(seen[0].Item2.min().item<float>() < 0, "before the ReLU");
    }

    [Fact]
    public void BatchNormalization_TrainsWithBatchStatistics_AndUpdatesRunningOnesWithOnnxMomentum()
    {
        var g = new TestGraph(13, new long[] { 6 });
        string gemm = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 6 }) }, TestGraph.Int("transB", 1));
        string mean = g.Weight(new long[] { 10 }), variance = g.Weight(new long[] { 10 }, 1, 2);
        string norm = g.Node("BatchNormalization", new[] { gemm, g.Weight(new long[] { 10 }, 1, 2), g.Weight(new long[] { 10 }), mean, variance },
            TestGraph.Float("momentum", 0.8f));
        var source = OnnxModelSource.FromBytes(g.Build(norm), "bn");
        using var network = source.Build(seed: 0);
        using var scope = NewDisposeScope();
        var before = network.state_dict()[mean].clone();
        var x = torch.tensor(ImportTestSupport.Rows(32, 6), new long[] { 32, 6 });
        network.train();
        var trained = network.call(x);
        // Batch statistics: every output unit has mean 0 over the batch, before the scale and shift.
        var batchMean = nn.functional.linear(x, network.PrunableLayers[0].Weight).mean(new long[] { 0 });
        Assert.True(torch.allclose(network.state_dict()[mean], before * 0.8 + batchMean * 0.2, 1e-5, 1e-6));
        network.eval();
        Assert.False(torch.allclose(trained, network.call(x), 1e-3, 1e-3), "evaluation uses the running statistics");
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tasks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;

namespace Microsoft.ML.Pruning.Tests.Stopping;

public sealed class IcpStoppingPolicyTests
{
    private static readonly InMemoryDataset Digits = SyntheticDigits.Generate(600, 3);

    private static PrunableNetwork TrainedMlp(int epochs = 1)
    {
        var definition = NetworkArchitecture.Mlp(32, 16).Define(Digits);
        var network = NetworkBuilder.Build(definition, 4);
        using var batches = new TensorBatches(Digits, 4);
        using var trainer = new Trainer(network, new TrainingOptions { BatchSize = 50 });
        for (int e = 0; e < epochs; e++)
        {
            trainer.TrainEpoch(batches, e);
        }

        return network;
    }

    [Theory]
    [InlineData(FlowKind.Information)]
    [InlineData(FlowKind.Gradient)]
    [InlineData(FlowKind.Information | FlowKind.Gradient)]
    public void ANetworkComparedWithItselfHasDistanceZeroAndStopsAtMinEpochs(FlowKind kind)
    {
        using var network = TrainedMlp();
        using var policy = new IcpStoppingPolicy(kind, minEpochs: 3, maxEpochs: 10) { StopAtDenseAccuracy = false, ProbeSize = 200, FlowStopTolerance = null };
        policy.Initialize(new DenseReference(network, Digits, 0.9, 1, PredictionTask.Multiclass(10)));

        var early = policy.Check(new StoppingContext(1, 2, 2 * 100L, 0.5, 0.9, 1.0, network));
        var atMin = policy.Check(new StoppingContext(1, 3, 3 * 100L, 0.5, 0.9, 1.0, network));

        Assert.False(early.Stop);
        Assert.True(atMin.Stop);
        Assert.Equal(StopReasons.FlowConsistent, atMin.Reason);
        Assert.Equal(0.0, atMin.FlowDistance!.Value, 9);
    }

    [Fact]
    public void AConsistentFlowStopsTheRoundOnlyNearTheDenseMetricUnlessToldToStopOnTheFlowAlone()
    {
        using var network = TrainedMlp();
        var reference = new DenseReference(network, Digits, 0.9, 1, PredictionTask.Multiclass(10));
        using var guarded = new IcpStoppingPolicy(FlowKind.Information, maxEpochs: 10) { StopAtDenseAccuracy = false, ProbeSize = 100 };
        using var flowAlone = new IcpStoppingPolicy(FlowKind.Information, maxEpochs: 10) { StopAtDenseAccuracy = false, ProbeSize = 100, FlowStopTolerance = null };
        guarded.Initialize(reference);
        flowAlone.Initialize(reference);

        // The same network as the dense one: its flow is consistent (distance 0) whatever the metric says.
        var farBelow = guarded.Check(new StoppingContext(1, 1, 100L, 0.5, 0.9, 1.0, network));
        var close = guarded.Check(new StoppingContext(1, 1.25, 125L, 0.895, 0.9, 1.0, network));
        var alone = flowAlone.Check(new StoppingContext(1, 1, 100L, 0.5, 0.9, 1.0, network));

        Assert.False(farBelow.Stop);
        Assert.Null(farBelow.FlowDistance); // far below the dense metric the flow cannot decide: the probe is not run
        Assert.Equal(0, farBelow.FlowSeconds);
        Assert.Equal(0.0, close.FlowDistance!.Value, 9);
        Assert.True(close.Stop);
        Assert.Equal(StopReasons.FlowConsistent, close.Reason);
        Assert.True(alone.Stop);
        Assert.Equal(StopReasons.FlowConsistent, alone.Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IcpStoppingPolicy(FlowKind.Information) { FlowStopTolerance = -0.1 });
    }

    [Fact]
    public void StopsWhenAccuracyReachesTheDenseAccuracy()
    {
        using var network = TrainedMlp();
        using var policy = new IcpStoppingPolicy(FlowKind.Information, epsilon: 1e-9, maxEpochs: 5) { ProbeSize = 100 };
        policy.Initialize(new DenseReference(network, Digits, 0.9, 1, PredictionTask.Multiclass(10)));

        var decision = policy.Check(new StoppingContext(1, 1, 1 * 100L, 0.95, 0.9, 1.0, network));

        Assert.True(decision.Stop);
        Assert.Equal(StopReasons.AccuracyRecovered, decision.Reason);
    }

    [Fact]
    public void StopsAtMaxEpochsWhenFlowsStayApart()
    {
        using var dense = TrainedMlp(epochs: 2);
        using var other = TrainedMlp(epochs: 0);
        using var policy = new IcpStoppingPolicy(FlowKind.Information, epsilon: 1e-6, maxEpochs: 2) { ProbeSize = 100, StopAtDenseAccuracy = false };
        policy.Initialize(new DenseReference(dense, Digits, 0.9, 1, PredictionTask.Multiclass(10)));

        var first = policy.Check(new StoppingContext(1, 1, 1 * 100L, 0.895, 0.9, 1.0, other));
        var second = policy.Check(new StoppingContext(1, 2, 2 * 100L, 0.895, 0.9, 1.0, other));

        Assert.False(first.Stop);
        Assert.True(first.FlowDistance > 0);
        Assert.True(second.Stop);
        Assert.Equal(StopReasons.MaxEpochs, second.Reason);
    }

    [Fact]
    public void GradientFlowChangesWhenTheMaskChanges()
    {
        using var network = TrainedMlp();
        using var probe = new FlowProbe(Digits, 200, 1);
        using var masks = new MaskSet(network);
        var before = probe.Measure(network, FlowKind.Gradient, masks.Masks.Select(m => m.Pruned).ToList()).Gradient!;
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise);
        var after = probe.Measure(network, FlowKind.Gradient, masks.Masks.Select(m => m.Pruned).ToList()).Gradient!;

        Assert.Equal(before.Count, after.Count);
        Assert.All(Enumerable.Range(0, before.Count), i => Assert.NotEqual(before[i], after[i]));
    }

    [Fact]
    public void GradientFlowOverSurvivingWeightsDoesNotFallWithSparsityByConstruction()
    {
        using var network = TrainedMlp();
        using var probe = new FlowProbe(Digits, 200, 1);
        using var masks = new MaskSet(network);
        var dense = probe.Measure(network, FlowKind.Gradient, masks.Masks.Select(m => m.Pruned).ToList());
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.75), PruningScope.Layerwise);
        var pruned = probe.Measure(network, FlowKind.Gradient, masks.Masks.Select(m => m.Pruned).ToList());

        // Dense: both statistics are the same mean. Pruned: over all weights a quarter of the weights carry the sum,
        // over the survivors the same sum is divided by the survivors only.
        Assert.All(Enumerable.Range(0, dense.Gradient!.Count), i => Assert.Equal(dense.Gradient[i], dense.GradientSurviving![i], 1e-6));
        for (int i = 0; i < pruned.Gradient!.Count; i++)
        {
            double survivingShare = 1 - masks.Masks[i].Pruned.to_type(TorchSharp.torch.ScalarType.Float64).mean().item<double>();
            Assert.InRange(survivingShare, 0.2, 0.3);
            Assert.Equal(pruned.Gradient[i] / survivingShare, pruned.GradientSurviving![i], pruned.GradientSurviving[i] * 1e-4);
        }

        Assert.Same(pruned.GradientSurviving, pruned.GradientBy(GradientFlowStatistic.MeanOverSurvivingWeights));
        Assert.Contains("surviving-weights", new IcpStoppingPolicy(FlowKind.Gradient) { GradientStatistic = GradientFlowStatistic.MeanOverSurvivingWeights }.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void FlowsDoNotDependOnBatchOrder()
    {
        using var network = TrainedMlp();
        using var probe = new FlowProbe(Digits, 300, 1, batchSize: 64);
        var inOrder = probe.Measure(network, FlowKind.Information | FlowKind.Gradient);
        var reversed = probe.Measure(network, FlowKind.Information | FlowKind.Gradient, batchOrder: new[] { 4, 3, 2, 1, 0 });

        Assert.Equal(inOrder.Information!.Count, reversed.Information!.Count);
        for (int i = 0; i < inOrder.Information.Count; i++)
        {
            Assert.Equal(inOrder.Information[i], reversed.Information[i], 9);
        }

        for (int i = 0; i < inOrder.Gradient!.Count; i++)
        {
            Assert.Equal(inOrder.Gradient[i], reversed.Gradient![i], 6);
        }
    }

    [Fact]
    public void MeasuringLeavesNoGradientsAndKeepsTheTrainingMode()
    {
        using var network = TrainedMlp();
        network.train();
        using var probe = new FlowProbe(Digits, 100, 1);
        probe.Measure(network, FlowKind.Gradient);

        Assert.True(network.training);
        using var scope = torch.NewDisposeScope();
        Assert.All(network.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().item<float>() == 0));
    }

    [Fact]
    public void InvalidSettingsNameTheSetting()
    {
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new IcpStoppingPolicy(epsilon: 0)).ParamName);
        Assert.Equal("minEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => new IcpStoppingPolicy(minEpochs: 0)).ParamName);
        Assert.Equal("maxEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => new IcpStoppingPolicy(minEpochs: 5, maxEpochs: 3)).ParamName);
        Assert.Equal("flow", Assert.Throws<ArgumentOutOfRangeException>(() => new IcpStoppingPolicy((FlowKind)0)).ParamName);
    }

    [Fact]
    public void PolicyNotInitialisedSaysSo()
    {
        using var network = TrainedMlp(0);
        using var policy = new IcpStoppingPolicy();
        var e = Assert.Throws<InvalidOperationException>(() => policy.Check(new StoppingContext(1, 1, 1 * 100L, 0.5, 0.9, 1.0, network)));
        Assert.Contains("Initialize", e.Message);
    }
}

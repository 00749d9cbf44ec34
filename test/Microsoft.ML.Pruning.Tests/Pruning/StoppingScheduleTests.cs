using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// How many epochs each round retrains, and why it stops: fixed schedules train exactly N epochs; accuracy recovery
/// stops as soon as validation accuracy is back at the dense one, or at its limit; every epoch is counted.
/// </summary>
public sealed class StoppingScheduleTests
{
    public StoppingScheduleTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void FixedEpochsTrainsExactlyNEpochsPerRoundAndCountsThemAll()
    {
        var epochsSeen = new Dictionary<(string, int), int>();
        var options = FastOptions() with { Rounds = 3, PretrainEpochs = 2, Stopping = StoppingPolicy.FixedEpochs(2), FinalFineTuneEpochs = 1 };

        using var result = Run(options, progress: p =>
        {
            if (p.IsCheck)
            {
                epochsSeen[(p.Phase, p.Round)] = epochsSeen.GetValueOrDefault((p.Phase, p.Round)) + 1;
            }
        });

        var report = result.Report;
        Assert.All(report.Rounds, r =>
        {
            Assert.Equal(2, r.Epochs);
            Assert.Equal(StopReasons.FixedEpochs, r.StopReason);
            Assert.Equal(2, epochsSeen[("round", r.Round)]);
        });
        Assert.Equal(2, report.Dense!.Epochs);
        Assert.Equal(2, epochsSeen[("dense", 0)]);
        Assert.Equal(1, epochsSeen[("fine-tune", 3)]);
        Assert.Equal(2 + 3 * 2 + 1, report.TotalEpochs);
        Assert.Equal(report.Dense.Epochs + report.Rounds.Sum(r => r.Epochs) + options.FinalFineTuneEpochs, report.TotalEpochs);
    }

    [Fact]
    public void AccuracyRecoveryStopsAsSoonAsTheDenseAccuracyIsBack()
    {
        // No dense training: the dense reference is the untrained network, which one epoch of training beats.
        var options = FastOptions() with { PretrainEpochs = 0, Rewind = RewindPoint.None, Stopping = StoppingPolicy.AccuracyRecovery(3) };

        using var result = Run(options);

        Assert.All(result.Report.Rounds, r =>
        {
            Assert.Equal(StopReasons.AccuracyRecovered, r.StopReason);
            Assert.Equal(1, r.Epochs);
            Assert.True(r.ValAccuracy >= result.Report.Dense!.ValAccuracy);
        });
        Assert.Equal(2, result.Report.TotalEpochs);
    }

    [Fact]
    public void AccuracyRecoveryGivesUpAtItsLimit()
    {
        // 99% of every layer pruned and rewound to the initial weights: two epochs cannot reach the dense accuracy.
        var options = FastOptions() with { Rounds = 1, PretrainEpochs = 3, Rate = PruningRate.Fixed(0.99), Rewind = RewindPoint.Init, Stopping = StoppingPolicy.AccuracyRecovery(2) };

        using var result = Run(options);

        var row = Assert.Single(result.Report.Rounds);
        Assert.Equal(StopReasons.MaxEpochs, row.StopReason);
        Assert.Equal(2, row.Epochs);
        Assert.True(row.ValAccuracy < result.Report.Dense!.ValAccuracy);
        Assert.Equal(3 + 2, result.Report.TotalEpochs);
    }

    [Fact]
    public void AccuracyRecoveryPolicyDecides()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.Mlp(4).Define(3, null, 2), seed: 1);
        var policy = StoppingPolicy.AccuracyRecovery(3);
        StoppingDecision After(int epoch, double val) => policy.Check(new StoppingContext(1, epoch, epoch * 100L, val, 0.8, 0.5, network));

        Assert.False(After(1, 0.79).Stop);
        Assert.Equal(StoppingDecision.StopBecause(StopReasons.AccuracyRecovered), After(1, 0.8));
        Assert.Equal(StoppingDecision.StopBecause(StopReasons.AccuracyRecovered), After(3, 0.9));
        Assert.Equal(StoppingDecision.StopBecause(StopReasons.MaxEpochs), After(3, 0.5));
        Assert.Equal(3, policy.MaxEpochs);
    }

    [Fact]
    public void FixedEpochsPolicyDecides()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.Mlp(4).Define(3, null, 2), seed: 1);
        var policy = StoppingPolicy.FixedEpochs(2);
        StoppingDecision After(int epoch, double val) => policy.Check(new StoppingContext(1, epoch, epoch * 100L, val, 0.8, 0.5, network));

        Assert.False(After(1, 1.0).Stop);
        Assert.Equal(StoppingDecision.StopBecause(StopReasons.FixedEpochs), After(2, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StoppingPolicy.FixedEpochs(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StoppingPolicy.AccuracyRecovery(0));
    }
}

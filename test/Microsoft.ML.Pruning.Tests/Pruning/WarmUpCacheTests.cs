using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Shared dense pre-training: a run that starts from another run's warm-up ends exactly as one that trains its own.</summary>
public sealed class WarmUpCacheTests
{
    private static IterativePrunerOptions Options(IStoppingPolicy stopping) => FastOptions() with
    {
        PretrainEpochs = 2,
        Rewind = RewindPoint.Dense,
        Stopping = stopping,
    };

    [Fact]
    public void ARunThatReusesAWarmUpEndsExactlyAsOneThatTrainsItsOwn()
    {
        using var cache = new WarmUpCache();
        using var first = Run(Options(StoppingPolicy.FixedEpochs(1)) with { WarmUpCache = cache });
        using var reused = Run(Options(new AccuracyRecoveryPolicy(2) { CheckEvery = 0.5 }) with { WarmUpCache = cache });
        using var own = Run(Options(new AccuracyRecoveryPolicy(2) { CheckEvery = 0.5 }));

        Assert.Equal(1, cache.Reused);
        Assert.False(first.Report.Dense!.SharedWarmUp);
        Assert.True(reused.Report.Dense!.SharedWarmUp);
        Assert.Equal(own.Report.Dense!.ValMetric, reused.Report.Dense.ValMetric);
        Assert.Equal(own.Report.Dense.Losses, reused.Report.Dense.Losses);
        Assert.Equal(own.Report.Rounds.SelectMany(r => r.Losses), reused.Report.Rounds.SelectMany(r => r.Losses));
        Assert.Equal(own.Report.Rounds.SelectMany(r => r.Checks.Select(c => c.ValMetric)), reused.Report.Rounds.SelectMany(r => r.Checks.Select(c => c.ValMetric)));
        Assert.Equal(own.Report.TotalSamples, reused.Report.TotalSamples);
        // Its cost counts the warm-up the first run paid for, so the two stay comparable.
        Assert.Equal(first.Report.Dense!.WallSeconds, reused.Report.Dense.WallSeconds);
        Assert.True(reused.Report.TotalWallSeconds > reused.Report.Dense.WallSeconds);
        Assert.Equal(StateBytes(own.Network), StateBytes(reused.Network));
    }

    [Fact]
    public void RunsWhoseDensePhaseDiffersDoNotShareIt()
    {
        using var cache = new WarmUpCache();
        using var a = Run(Options(StoppingPolicy.FixedEpochs(1)) with { WarmUpCache = cache });
        using var otherSeed = Run(Options(StoppingPolicy.FixedEpochs(1)) with { WarmUpCache = cache, Seed = 4 });
        using var longer = Run(Options(StoppingPolicy.FixedEpochs(1)) with { WarmUpCache = cache, PretrainEpochs = 3 });
        using var otherRewind = Run(Options(StoppingPolicy.FixedEpochs(1)) with { WarmUpCache = cache, Rewind = RewindPoint.Init });

        Assert.Equal(0, cache.Reused);
        Assert.Equal(4, cache.Count);
        Assert.NotEqual(a.Report.Dense!.Losses, otherSeed.Report.Dense!.Losses);
    }

    [Fact]
    public void AComparisonTrainsEachSeedsWarmUpOnce()
    {
        var comparison = MethodComparison.Run(DigitMlp(16), Digits, new[] { "a", "b", "c" }, new long[] { 1, 2 },
            (m, s) => Options(StoppingPolicy.FixedEpochs(1)) with { Method = m, Seed = s });

        Assert.Equal(2, comparison.Runs.Count(r => !r.Dense!.SharedWarmUp));
        Assert.Equal(4, comparison.Runs.Count(r => r.Dense!.SharedWarmUp));
        // Same seed, same dense phase, same fixed schedule: the three methods' runs are identical.
        Assert.All(comparison.Runs.Where(r => r.Seed == 1), r => Assert.Equal(comparison.Runs[0].Final!.TestMetric, r.Final!.TestMetric));
    }
}

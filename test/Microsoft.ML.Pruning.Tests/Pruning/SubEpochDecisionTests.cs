using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Policies decide every CheckEvery epochs, inside epochs too; cost is counted in rows; every check is reported.</summary>
public sealed class SubEpochDecisionTests
{
    public SubEpochDecisionTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void ChecksComeEveryQuarterEpochAndTheReportRecordsThemInRows()
    {
        // 240 training rows in batches of 30: 8 batches an epoch, a check every 2 batches (60 rows).
        var options = FastOptions() with { Rounds = 2, Stopping = StoppingPolicy.FixedEpochs(2) };
        var quarter = options with { Stopping = new QuarterFixed(2) };

        using var result = Run(quarter);

        Assert.All(result.Report.Rounds, r =>
        {
            Assert.Equal(Enumerable.Range(1, 8).Select(i => 60L * i), r.Checks.Select(c => c.Samples));
            Assert.Equal(Enumerable.Range(1, 8).Select(i => i / 4.0), r.Checks.Select(c => c.Epochs));
            Assert.Equal(480, r.Samples);
            Assert.Equal(2.0, r.Epochs);
            Assert.Equal(2, r.Losses.Count);
            Assert.All(r.Checks, c => Assert.Null(c.FlowDistance));
        });
        Assert.Equal(240 + 2 * 480, result.Report.TotalSamples);
        Assert.Equal(0.25, result.Report.Stopping!.CheckEvery);
    }

    [Fact]
    public void ARoundCanStopInsideAnEpochAndTheNextRoundStartsAFreshEpoch()
    {
        var options = FastOptions() with { Rounds = 3, PretrainEpochs = 1, Stopping = new QuarterFixed(2) { StopAtFirstCheck = true } };

        using var result = Run(options);

        Assert.All(result.Report.Rounds, r =>
        {
            Assert.Equal("first-check", r.StopReason);
            Assert.Equal(60, r.Samples);
            Assert.Equal(0.25, r.Epochs);
            Assert.Single(r.Checks);
            Assert.Single(r.Losses); // the partial epoch's loss
        });
        Assert.Equal(1 + 3 * 0.25, result.Report.TotalEpochs, 12);
    }

    [Fact]
    public void RunsThatStopInsideEpochsAreReproducible()
    {
        // Shuffles follow the seed and the epochs started, whatever a round dropped: same seed, same losses.
        var options = FastOptions() with { Rounds = 3, Stopping = new QuarterFixed(2) { StopAtFirstCheck = true } };

        using var a = Run(options);
        using var b = Run(options);
        using var c = Run(options with { Seed = 4 });

        Assert.Equal(a.Report.Rounds.Select(r => r.Losses[0]), b.Report.Rounds.Select(r => r.Losses[0]));
        Assert.NotEqual(a.Report.Rounds.Select(r => r.Losses[0]), c.Report.Rounds.Select(r => r.Losses[0]));
    }

    [Fact]
    public void MaxEpochsEndsARoundEvenWhenItFallsBetweenChecks()
    {
        var options = FastOptions() with { Rounds = 1, Stopping = new IcpStoppingPolicy(FlowKind.Information, epsilon: 1e-9, maxEpochs: 0.6) { CheckEvery = 0.25, StopAtDenseAccuracy = false, ProbeSize = 50, FlowStopTolerance = null } };

        using var result = Run(options);

        var round = Assert.Single(result.Report.Rounds);
        Assert.Equal(StopReasons.MaxEpochs, round.StopReason);
        // ceil(0.6 * 8) = 5 batches: checks after 2, 4 and 5 batches.
        Assert.Equal(new long[] { 60, 120, 150 }, round.Checks.Select(c => c.Samples));
        Assert.All(round.Checks, c => Assert.NotNull(c.FlowDistance));
        Assert.Equal(1e-9, result.Report.Stopping!.Epsilon);
    }

    [Fact]
    public void IcpDecidesAtTheFirstCheckEvenWhenItFallsABatchShortOfAQuarterEpoch()
    {
        // 240 rows in batches of 19: 13 batches an epoch, a quarter is 3 batches = 57 rows = 0.2375 epochs. A flow that is
        // always consistent (huge epsilon) must stop the round there, not at the second check.
        var options = FastOptions() with
        {
            Rounds = 1,
            Training = FastOptions().Training with { BatchSize = 19 },
            Stopping = new IcpStoppingPolicy(FlowKind.Information, epsilon: 1e9, maxEpochs: 2) { CheckEvery = 0.25, StopAtDenseAccuracy = false, ProbeSize = 50, FlowStopTolerance = null },
        };

        using var result = Run(options);

        var round = Assert.Single(result.Report.Rounds);
        Assert.Equal(StopReasons.FlowConsistent, round.StopReason);
        Assert.Equal(57, round.Samples);
    }

    /// <summary>A fixed schedule that decides every quarter epoch (the built-in one decides at epoch ends).</summary>
    private sealed class QuarterFixed(int epochs) : IStoppingPolicy
    {
        private readonly FixedEpochsPolicy _inner = new(epochs);

        public string Name => _inner.Name + "/4";

        public double MaxEpochs => _inner.MaxEpochs;

        public double CheckEvery => 0.25;

        public void Initialize(DenseReference reference, CancellationToken cancellationToken = default) => _inner.Initialize(reference, cancellationToken);

        public void BeginRound(int round) => _inner.BeginRound(round);

        public bool StopAtFirstCheck { get; init; }

        public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default) =>
            StopAtFirstCheck ? StoppingDecision.StopBecause("first-check") : _inner.Check(context, cancellationToken);
    }
}

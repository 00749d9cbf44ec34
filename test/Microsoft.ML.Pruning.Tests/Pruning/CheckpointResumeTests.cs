using System.Globalization;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// A run stopped after round 2 and resumed from its checkpoint ends exactly where an uninterrupted run ends: same
/// masks, same weights bit for bit, same report rows (timings aside).
/// </summary>
public sealed class CheckpointResumeTests
{
    public CheckpointResumeTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Theory]
    [InlineData("init", "adam")]
    [InlineData("none", "sgd")]
    public void ResumedRunMatchesUninterruptedRun(string rewind, string optimizer)
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        var training = FastOptions().Training with
        {
            Optimizer = optimizer == "sgd" ? OptimizerOptions.Sgd(0.05, momentum: 0.9, weightDecay: 1e-3) : OptimizerOptions.Adam(2e-3),
        };
        var options = FastOptions() with { Rounds = 4, Rewind = RewindPoint.Parse(rewind), Training = training, FinalFineTuneEpochs = 1 };

        using var uninterrupted = Run(options with { CheckpointDirectory = dirA.Path });
        // Rounds is not part of the options fingerprint: a run may be extended.
        using (var firstHalf = Run(options with { Rounds = 2, FinalFineTuneEpochs = 0, CheckpointDirectory = dirB.Path }))
        {
            Assert.Equal(2, firstHalf.Report.Rounds.Count);
        }

        var phases = new List<(string Phase, int Round)>();
        using var resumed = Run(options with { CheckpointDirectory = dirB.Path, Resume = true }, progress: p => phases.Add((p.Phase, p.Round)));

        // The resumed run trained rounds 3 and 4 (and the fine-tune) only.
        Assert.DoesNotContain(phases, p => p.Phase == "dense" || (p.Phase == "round" && p.Round < 3));
        Assert.Contains(phases, p => p.Phase == "round" && p.Round == 3);
        Assert.Equal(MaskBits(uninterrupted.Masks), MaskBits(resumed.Masks));
        Assert.Equal(StateBytes(uninterrupted.Network), StateBytes(resumed.Network));
        Assert.Equal(4, resumed.Report.Rounds.Count);
        Assert.Equal(WithoutTimings(uninterrupted.Report), WithoutTimings(resumed.Report));
        Assert.Equal(new[] { PruningCheckpoint.FileName }, Directory.GetFiles(dirB.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ResumedRunMatchesUninterruptedRunWithDecisionsInsideEpochs()
    {
        // ICP deciding every quarter epoch: rounds end inside epochs, and the resumed run must replay them exactly.
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        IterativePrunerOptions Options(int rounds) => FastOptions() with
        {
            Rounds = rounds,
            Rewind = RewindPoint.Dense,
            Stopping = new IcpStoppingPolicy(FlowKind.Information, maxEpochs: 2) { CheckEvery = 0.25, ProbeSize = 60 },
        };

        using var uninterrupted = Run(Options(4) with { CheckpointDirectory = dirA.Path });
        Run(Options(2) with { CheckpointDirectory = dirB.Path }).Dispose();
        using var resumed = Run(Options(4) with { CheckpointDirectory = dirB.Path, Resume = true });

        Assert.Contains(uninterrupted.Report.Rounds, r => r.Epochs % 1 != 0); // some round did stop inside an epoch
        Assert.Equal(MaskBits(uninterrupted.Masks), MaskBits(resumed.Masks));
        Assert.Equal(StateBytes(uninterrupted.Network), StateBytes(resumed.Network));
        Assert.Equal(WithoutTimings(uninterrupted.Report), WithoutTimings(resumed.Report));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void ResumedRunMatchesUninterruptedRunWhenTrainingAndThePolicyDrawRandomNumbers(int stopAfterRounds)
    {
        // Dropout draws from TorchSharp's global generator at every training step, and a policy may draw from it when
        // it records the dense reference (e.g. to pick a probe set): the resumed run must replay both exactly.
        // Stopping after 0 rounds resumes from the checkpoint written right after dense training.
        var definition = new NetworkDefinition("mlp-dropout", 784, null, 10, new LayerSpec[]
        {
            new LinearLayer("fc1", 784, 16), new ReluLayer("fc1_relu"), new DropoutLayer("fc1_dropout", 0.3), new LinearLayer("fc2", 16, 10),
        });
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        var options = FastOptions() with { Rounds = 3, Stopping = new RandomDrawingPolicy(StoppingPolicy.FixedEpochs(1)) };

        using var uninterrupted = Run(options with { CheckpointDirectory = dirA.Path }, definition);
        using (Run(options with { Rounds = stopAfterRounds, CheckpointDirectory = dirB.Path }, definition))
        {
        }

        using var resumed = Run(options with { CheckpointDirectory = dirB.Path, Resume = true }, definition);

        Assert.Equal(MaskBits(uninterrupted.Masks), MaskBits(resumed.Masks));
        Assert.Equal(StateBytes(uninterrupted.Network), StateBytes(resumed.Network));
        Assert.Equal(WithoutTimings(uninterrupted.Report), WithoutTimings(resumed.Report));
    }

    [Fact]
    public void CheckpointWrittenUnderOneCultureResumesUnderAnother()
    {
        // The options fingerprint holds rates and learning rates: "0.2" must not become "0,2" under a German culture.
        using var dir = new TempDirectory();
        var options = FastOptions() with { CheckpointDirectory = dir.Path };
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("0,2", 0.2.ToString(CultureInfo.CurrentCulture)); // the culture does differ here
            using (Run(options with { Rounds = 1 }))
            {
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            using var resumed = Run(options with { Resume = true });
            Assert.Equal(2, resumed.Report.Rounds.Count);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void ResumeWithoutACheckpointStartsAfresh()
    {
        using var dir = new TempDirectory();
        var options = FastOptions() with { CheckpointDirectory = dir.Path };

        using var fresh = Run(options with { Resume = true });
        using var plain = Run(options with { CheckpointDirectory = null });

        Assert.True(File.Exists(PruningCheckpoint.PathIn(dir.Path)));
        Assert.Equal(WithoutTimings(plain.Report), WithoutTimings(fresh.Report));
        Assert.Equal(StateBytes(plain.Network), StateBytes(fresh.Network));
    }

    /// <summary>Decides like <paramref name="inner"/>, but draws from TorchSharp's global generator when it records the dense reference.</summary>
    private sealed class RandomDrawingPolicy(IStoppingPolicy inner) : IStoppingPolicy
    {
        public string Name => inner.Name;

        public double MaxEpochs => inner.MaxEpochs;

        public double CheckEvery => inner.CheckEvery;

        public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
        {
            torch.randperm(100).Dispose();
            inner.Initialize(reference, cancellationToken);
        }

        public void BeginRound(int round) => inner.BeginRound(round);

        public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default) => inner.Check(context, cancellationToken);
    }
}

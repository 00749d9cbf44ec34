using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Training;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Training that goes non-finite stops the run with an error naming where; a loss that explodes is flagged.</summary>
public sealed class DivergenceTests
{
    public DivergenceTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void ANonFiniteLossStopsTheRunInTheFirstEpochNamingIt()
    {
        var options = FastOptions() with { Training = FastOptions().Training with { Optimizer = OptimizerOptions.Sgd(1e30, momentum: 0.9) } };

        var e = Assert.Throws<TrainingDivergedException>(() => Run(options));

        Assert.Equal("dense", e.Phase);
        Assert.Equal(1, e.Epoch);
        Assert.Contains("dense training, epoch 1", e.Message);
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void DivergenceInARoundKeepsTheLastCompletedRoundsCheckpoint()
    {
        using var dir = new TempDirectory();
        var options = FastOptions() with { Rounds = 3, CheckpointDirectory = dir.Path, Stopping = new ExplodingPolicy(explodeInRound: 2) };

        var e = Assert.Throws<TrainingDivergedException>(() => Run(options));

        Assert.Equal(("round", 2), (e.Phase, e.Round));
        Assert.Contains("pruning round 2", e.Message);
        // The checkpoint still holds round 1: --resume continues from there.
        var bytes = File.ReadAllBytes(PruningCheckpoint.PathIn(dir.Path));
        Assert.NotEmpty(bytes);
        Assert.Throws<TrainingDivergedException>(() => Run(options with { Resume = true }));
    }

    [Fact]
    public void AnExplodingButFiniteLossIsFlaggedAndANormalRunIsNot()
    {
        // Adam at a learning rate of 10 blows the loss up by orders of magnitude without making it infinite.
        var wild = FastOptions() with { PretrainEpochs = 3, Training = FastOptions().Training with { Optimizer = OptimizerOptions.Adam(10) } };

        using var exploded = Run(wild);
        using var normal = Run(FastOptions() with { PretrainEpochs = 3 });

        Assert.Contains(exploded.Report.Warnings, w => w.StartsWith("The training loss exploded", StringComparison.Ordinal));
        Assert.DoesNotContain(normal.Report.Warnings, w => w.StartsWith("The training loss exploded", StringComparison.Ordinal));
        Assert.Equal(3, exploded.Report.Dense!.Losses.Count);
    }

    /// <summary>Trains normally, then, in the given round, makes a weight NaN at the first check.</summary>
    private sealed class ExplodingPolicy(int explodeInRound) : IStoppingPolicy
    {
        private readonly FixedEpochsPolicy _inner = new(1);
        private int _round;

        public string Name => "exploding";

        public double MaxEpochs => 2;

        public double CheckEvery => 1;

        public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
        {
        }

        public void BeginRound(int round) => _round = round;

        public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default)
        {
            if (_round == explodeInRound)
            {
                using var noGrad = TorchSharp.torch.no_grad();
                context.Network.PrunableLayers[0].Weight.fill_(double.NaN);
                return StoppingDecision.Continue;
            }

            return _inner.Check(context, cancellationToken);
        }
    }
}

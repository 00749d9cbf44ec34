using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// Cancelling mid-round throws <see cref="OperationCanceledException"/> and leaves the last completed round's
/// checkpoint intact, so the run resumes from it to the same result as an uninterrupted run.
/// </summary>
public sealed class CancellationTests
{
    public CancellationTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void CancelledInRoundTwoKeepsRoundOnesCheckpointAndResumesToTheSameResult()
    {
        using var dir = new TempDirectory();
        var definition = DigitMlp(16);
        var options = FastOptions() with { Rounds = 3, CheckpointDirectory = dir.Path };
        using var cts = new CancellationTokenSource();
        int lastRound = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => Run(options, definition, p =>
        {
            lastRound = p.Round;
            if (p.Phase == "round" && p.Round == 2 && p.Batch == 4)
            {
                cts.Cancel(); // mid-epoch: batch 4 of 8
            }
        }, cts.Token));

        Assert.Equal(2, lastRound);
        using (var checkpoint = PruningCheckpoint.Load(PruningCheckpoint.PathIn(dir.Path), IterativePruner.NetworkFingerprint(definition), definition.Name, options.Fingerprint(), DataIdentity.Of(Digits)))
        {
            var row = Assert.Single(checkpoint.Report.Rounds);
            Assert.Equal(1, row.Round);
            Assert.Equal(options.PretrainEpochs + 1, checkpoint.TrainerEpochs);
        }

        Assert.Equal(new[] { PruningCheckpoint.FileName }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));

        using var resumed = Run(options with { Resume = true }, definition);
        using var uninterrupted = Run(options with { CheckpointDirectory = null }, definition);
        Assert.Equal(MaskBits(uninterrupted.Masks), MaskBits(resumed.Masks));
        Assert.Equal(StateBytes(uninterrupted.Network), StateBytes(resumed.Network));
        Assert.Equal(WithoutTimings(uninterrupted.Report), WithoutTimings(resumed.Report));
    }

    [Fact]
    public void CancelledBeforeAnyRoundThrowsAndWritesNoCheckpoint()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Run(FastOptions() with { CheckpointDirectory = dir.Path }, cancellationToken: cts.Token));

        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

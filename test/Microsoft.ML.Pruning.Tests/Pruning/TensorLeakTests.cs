using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>A long run must not pile up tensors: the live count at a round's start and end is the same in round 2 and round 4.</summary>
public sealed class TensorLeakTests
{
    public TensorLeakTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void LiveTensorCountDoesNotGrowFromRoundToRound(string optimizer)
    {
        using var dir = new TempDirectory();
        var training = FastOptions().Training with
        {
            Optimizer = optimizer == "sgd" ? OptimizerOptions.Sgd(0.05, momentum: 0.9, weightDecay: 1e-3) : OptimizerOptions.Adam(2e-3),
        };
        // Rewinding, checkpoints and optimizer resets all run every round.
        var options = FastOptions() with { Rounds = 4, Rewind = RewindPoint.Init, Training = training, CheckpointDirectory = dir.Path };
        var atStart = new Dictionary<int, long>();
        var atEnd = new Dictionary<int, long>();

        using var result = Run(options, progress: p =>
        {
            if (p.Phase != "round")
            {
                return;
            }

            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            atStart.TryAdd(p.Round, live);
            if (p.IsCheck)
            {
                atEnd[p.Round] = live;
            }
        });

        Assert.Equal(atStart[2], atStart[4]);
        Assert.Equal(atEnd[2], atEnd[4]);
    }
}

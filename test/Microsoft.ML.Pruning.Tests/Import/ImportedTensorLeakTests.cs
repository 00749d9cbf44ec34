using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Training;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>Running an imported graph (shape tensors, integer constants, batch norm, rewinding, checkpoints) piles up no tensors from
/// round to round.</summary>
public sealed class ImportedTensorLeakTests
{
    public ImportedTensorLeakTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void LiveTensorCountDoesNotGrowFromRoundToRound()
    {
        using var dir = new TempDirectory();
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("cnn_bn.onnx"));
        var options = PruningMethods.Apply("lth", FastOptions() with { Rounds = 4, PretrainEpochs = 0, CheckpointDirectory = dir.Path }, epochsPerRound: 1, rate: 0.2);
        var atStart = new Dictionary<int, long>();
        var atEnd = new Dictionary<int, long>();
        var progress = new SynchronousProgress<PruningProgress>(p =>
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

        using var result = new IterativePruner(options).Run(source, Digits, progress);

        Assert.Equal(atStart[2], atStart[4]);
        Assert.Equal(atEnd[2], atEnd[4]);
    }
}

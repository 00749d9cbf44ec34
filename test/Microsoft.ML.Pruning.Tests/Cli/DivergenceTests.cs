using System.Globalization;
using Microsoft.ML.Pruning.Cli;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.IO;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Training;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// Diverged training is a failure, never a result: exit code 1 with the engine's one-line message, the last completed
/// round's checkpoint kept, no model.onnx or report written, an earlier run's set left whole and named as earlier.
/// </summary>
public sealed class DivergenceTests
{
    [Fact]
    public async Task SgdWithAHugeLearningRateExitsOneInDenseTrainingAndExportsNothing()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        string csv = TinyCsv.Classes(dir.Path);
        var earlier = await Run(TinyCsv.QuickPrune(csv, outDir));
        string earlierRun = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!.RunId;

        var (code, stdout, stderr) = await Run(TinyCsv.QuickPrune(csv, outDir, "--optimizer", "sgd", "--lr", "1e6").With("--pretrain-epochs", "3"));

        Assert.True(earlier.Code == 0, earlier.Err);
        Assert.True(code == 1, stderr);
        Assert.Equal("", stdout);
        string last = stderr.Trim().Split('\n')[^1];
        // On these rows the mean loss of epoch 1 is still finite (about 1e33) and NaN from epoch 2: the run must stop in dense training.
        Assert.StartsWith("mlnet-prune: Training diverged in dense training, epoch ", last);
        Assert.Contains("--lr", last);
        Assert.Contains("are an earlier run's", last);
        Assert.DoesNotContain("dense epoch 3", stderr);
        Assert.DoesNotContain("round 1/1", stderr);
        AssertEarlierSetUntouched(outDir, earlierRun);
    }

    [Fact]
    public async Task FeaturesNearTheFloatLimitDivergeAndExitOne()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("huge.csv");
        // Labels independent of the features' signs: logits near the float limit on wrong classes make the loss infinite.
        File.WriteAllLines(csv, Enumerable.Range(0, 120).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{i / 3 % 2},{(i % 2 == 0 ? 3e38 : -3e38)},{(i % 3 - 1) * 3e38},1")));

        // Raw values: standardised (the default for csv:) they would be tame.
        var (code, _, stderr) = await Run(TinyCsv.QuickPrune(csv, dir.File("out")).Concat(new[] { "--standardize", "off" }).ToArray());

        Assert.True(code == 1, stderr);
        Assert.Contains("Training diverged", stderr);
        Assert.False(File.Exists(Path.Combine(dir.File("out"), "model.onnx")));
    }

    [Fact]
    public async Task BenchStopsAtTheFirstDivergedRunAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");

        var (code, stdout, stderr) = await Run("bench", "--data", $"csv:{TinyCsv.Classes(dir.Path)}", "--arch", "mlp:8", "--methods", "lth,imp",
            "--optimizer", "sgd", "--lr", "1e6", "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--out", outDir);

        Assert.True(code == 1, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("Training diverged", stderr);
        Assert.False(File.Exists(Path.Combine(outDir, "bench.json")));
        Assert.False(Directory.Exists(outDir)); // created for the run, empty again
    }

    /// <summary>
    /// The command line's side of divergence, while the engine cannot yet report it: the exception is raised where the
    /// final files are written (after the checkpoint exists), as the engine will raise it from within a round.
    /// </summary>
    [Fact]
    public async Task ADivergenceExitsOneWithItsMessageKeepsTheCheckpointAndTheEarlierSet()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        string csv = TinyCsv.Classes(dir.Path);
        var earlier = await Run(TinyCsv.QuickPrune(csv, outDir));
        string earlierRun = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!.RunId;
        File.Delete(PruningCheckpoint.PathIn(outDir));
        var error = new StringWriter();

        int code = await CliApplication.RunAsync(TinyCsv.QuickPrune(csv, outDir, "--seed", "5"), new StringWriter(), error, default, step =>
        {
            if (step == "staged:model.onnx")
            {
                throw new TrainingDivergedException("round", 1, 1, double.NaN, "the training loss");
            }
        });

        Assert.True(earlier.Code == 0, earlier.Err);
        Assert.Equal(1, code);
        string last = error.ToString().Trim().Split('\n')[^1];
        Assert.Equal("mlnet-prune: Training diverged in pruning round 1, epoch 1: the training loss is not finite (NaN or infinite). " +
            "Try a lower learning rate (--lr), another optimizer, or standardised features; nothing was exported.", last);
        Assert.True(File.Exists(PruningCheckpoint.PathIn(outDir)), "the checkpoint of the diverged run's completed rounds is gone");
        AssertEarlierSetUntouched(outDir, earlierRun);
    }

    private static void AssertEarlierSetUntouched(string outDir, string earlierRun)
    {
        var marker = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!;
        Assert.Equal(earlierRun, marker.RunId);
        Assert.Empty(marker.Mismatches(outDir));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => AtomicFile.TryParseTemporaryName(Path.GetFileName(e), out _, out _));
        Assert.False(File.Exists(Path.Combine(outDir, OutputLock.FileName)));
    }
}

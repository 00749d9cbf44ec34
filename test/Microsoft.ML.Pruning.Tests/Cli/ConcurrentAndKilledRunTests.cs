using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.IO;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// Real processes on one --out: a second run is refused while the first trains; kill -9 leaves a stale lock that
/// the next run takes over, finding no temporary file and a whole set; SIGTERM stops a run with 130 and its checkpoint.
/// </summary>
public sealed class ConcurrentAndKilledRunTests
{
    [Fact]
    public async Task ASecondRunIsRefusedWhileTheFirstTrainsAndTakesOverAfterAKill9()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        string csv = TinyCsv.Classes(dir.Path);
        var earlier = await Run(TinyCsv.QuickPrune(csv, outDir));
        Assert.True(earlier.Code == 0, earlier.Err);

        using var first = new ToolProcess(TinyCsv.QuickPrune(csv, outDir).With("--epochs", "100000"));
        first.WaitForLine("round 1/1 ");
        var second = await Run(TinyCsv.QuickPrune(csv, outDir));
        first.Kill();
        var stale = LockOwner.Parse(File.ReadAllText(Path.Combine(outDir, OutputLock.FileName)));
        var afterKill = await Run(TinyCsv.QuickPrune(csv, outDir));

        Assert.True(second.Code == 2, second.Err);
        Assert.True(second.Err.Contains($"is in use by another mlnet-prune run: PID {first.Id} (prune, since "), second.Err);
        Assert.Equal("", second.Out);
        Assert.Equal(first.Id, stale?.Pid);
        Assert.True(afterKill.Code == 0, afterKill.Err);
        var marker = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!;
        Assert.Empty(marker.Mismatches(outDir));
        Assert.Contains(marker.RunId[..8], (await Run("inspect", Path.Combine(outDir, "model.onnx"))).Out);
        AssertNoLeftovers(outDir);
    }

    [Fact]
    public async Task SigtermWhileTrainingExits130WithTheCheckpointAndTheEarlierSetWhole()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        string csv = TinyCsv.Classes(dir.Path);
        var earlier = await Run(TinyCsv.QuickPrune(csv, outDir));
        Assert.True(earlier.Code == 0, earlier.Err);
        string earlierRun = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!.RunId;
        File.Delete(PruningCheckpoint.PathIn(outDir));

        using var run = new ToolProcess(TinyCsv.QuickPrune(csv, outDir, "--seed", "9").With("--epochs", "100000"));
        run.WaitForLine("round 1/1 ");
        run.Signal(ToolProcess.SigTerm);
        int code = run.WaitForExit();

        Assert.True(code == 130, $"exit {code}:\n{run.Stderr}");
        Assert.Contains("mlnet-prune: cancelled; the last completed round's checkpoint is in --out", run.Stderr);
        Assert.True(File.Exists(PruningCheckpoint.PathIn(outDir)));
        var marker = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!;
        Assert.Equal(earlierRun, marker.RunId);
        Assert.Empty(marker.Mismatches(outDir));
        AssertNoLeftovers(outDir);
    }

    private static void AssertNoLeftovers(string outDir)
    {
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => AtomicFile.TryParseTemporaryName(Path.GetFileName(e), out _, out _));
        Assert.False(File.Exists(Path.Combine(outDir, OutputLock.FileName)));
    }
}

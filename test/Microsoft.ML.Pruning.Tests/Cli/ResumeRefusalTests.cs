using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// --resume continues only the run its checkpoint belongs to: the engine refuses another one (InvalidDataException)
/// and the command line reports that as bad input, exit 2, before any training, leaving the checkpoint as it was.
/// </summary>
public sealed class ResumeRefusalTests
{
    [Fact]
    public async Task ResumingWithOtherOptionsExitsTwoAndKeepsTheCheckpoint()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        string csv = TinyCsv.Classes(dir.Path);
        var first = await Run(TinyCsv.QuickPrune(csv, outDir));
        byte[] checkpoint = File.ReadAllBytes(PruningCheckpoint.PathIn(outDir));

        var (code, stdout, stderr) = await Run(TinyCsv.QuickPrune(csv, outDir, "--resume").With("--rate", "0.5"));

        Assert.True(first.Code == 0, first.Err);
        Assert.True(code == 2, stderr);
        string last = stderr.Trim().Split('\n')[^1];
        Assert.StartsWith("mlnet-prune: ", last);
        Assert.Contains("checkpoint", last, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(checkpoint, File.ReadAllBytes(PruningCheckpoint.PathIn(outDir)));
    }

    [Fact]
    public async Task ResumingOnOtherDataExitsTwoNamingWhatDiffers()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        var first = await Run(TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir));
        string other = TinyCsv.Classes(dir.Path, rows: 240, name: "other.csv");

        var (code, _, stderr) = await Run(TinyCsv.QuickPrune(other, outDir, "--resume").With("--rounds", "2"));
        var split = await Run(TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir, "--resume", "--split", "0.6,0.2,0.2").With("--rounds", "2"));

        Assert.True(first.Code == 0, first.Err);
        Assert.True(code == 2, stderr);
        Assert.Contains("data", stderr.Trim().Split('\n')[^1], StringComparison.OrdinalIgnoreCase);
        Assert.True(split.Code == 2, split.Err);
        Assert.Contains("split", split.Err.Trim().Split('\n')[^1], StringComparison.OrdinalIgnoreCase);
    }
}

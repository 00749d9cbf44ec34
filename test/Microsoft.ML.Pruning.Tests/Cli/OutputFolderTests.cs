using Microsoft.ML.Pruning.Cli;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// The --out folder: one run at a time (a lock file naming the owner's PID, taken over when that process is gone),
/// temporaries of killed runs removed by the next run, and no folder left behind by a run that wrote nothing.
/// </summary>
public sealed class OutputFolderTests
{
    [Fact]
    public async Task ASecondRunOnABusyFolderIsRefusedNamingTheOwnersPid()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        Directory.CreateDirectory(outDir);
        string lockText = LockOwner.Current("prune --out out").ToJson(); // this (live) process holds the folder
        File.WriteAllText(Path.Combine(outDir, OutputLock.FileName), lockText);

        var (code, stdout, stderr) = await Run(TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir));

        Assert.True(code == 2, stderr);
        Assert.Contains($"is in use by another mlnet-prune run: PID {Environment.ProcessId} (prune --out out, since ", stderr);
        Assert.Equal("", stdout); // no paths of files it did not write
        Assert.False(File.Exists(Path.Combine(outDir, "model.onnx")));
        Assert.Equal(lockText, File.ReadAllText(Path.Combine(outDir, OutputLock.FileName)));
    }

    [Theory]
    [InlineData("dead process")]
    [InlineData("reused process id")]
    [InlineData("not a lock")]
    public async Task AStaleLockIsTakenOverAndReleased(string stale)
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        Directory.CreateDirectory(outDir);
        var owner = LockOwner.Current("prune");
        string text = stale switch
        {
            "dead process" => (owner with { Pid = DeadProcess.Id() }).ToJson(),
            "reused process id" => (owner with { ProcessStartUtc = owner.ProcessStartUtc.AddHours(-1) }).ToJson(), // our id, another start
            _ => "garbage",
        };
        File.WriteAllText(Path.Combine(outDir, OutputLock.FileName), text);

        var (code, _, stderr) = await Run(TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir));

        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(Path.Combine(outDir, OutputLock.FileName)), "the lock outlived its run");
        Assert.Empty(OutputSetCheck.Verify(Path.Combine(outDir, "model.onnx"))!.Mismatches(outDir));
    }

    [Fact]
    public async Task TemporariesOfDeadProcessesAreRemovedAndThoseOfLiveOnesKept()
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        Directory.CreateDirectory(outDir);
        int dead = DeadProcess.Id();
        string deadFile = Path.Combine(outDir, $".checkpoint.bin.{dead}.{Guid.NewGuid():N}.tmp");
        string deadStaging = Path.Combine(outDir, $".prune-outputs.{dead}.{Guid.NewGuid():N}.tmp");
        string liveFile = Path.Combine(outDir, $".report.json.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string unrelated = Path.Combine(outDir, ".notes.tmp");
        File.WriteAllText(deadFile, "half a checkpoint");
        Directory.CreateDirectory(deadStaging);
        File.WriteAllText(Path.Combine(deadStaging, "model.onnx"), "half a model");
        File.WriteAllText(liveFile, "being written");
        File.WriteAllText(unrelated, "mine");

        var (code, _, stderr) = await Run(TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir));

        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(deadFile));
        Assert.False(Directory.Exists(deadStaging));
        Assert.True(File.Exists(liveFile));
        Assert.True(File.Exists(unrelated));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARunStoppedBeforeItWroteAnythingLeavesNoFolderItCreated(bool folderExisted)
    {
        using var dir = new TempDirectory();
        string outDir = Path.Combine(dir.File("runs"), "a");
        if (folderExisted)
        {
            Directory.CreateDirectory(outDir);
        }

        using var cancel = new CancellationTokenSource();
        var error = new CancellingWriter(cancel, "dense epoch 1:"); // stops dense training before the first checkpoint
        string[] args = TinyCsv.QuickPrune(TinyCsv.Classes(dir.Path), outDir).With("--pretrain-epochs", "3");

        int code = await CliApplication.RunAsync(args, new StringWriter(), error, cancel.Token);

        Assert.True(code == 130, error.ToString());
        Assert.Equal(folderExisted, Directory.Exists(outDir));
        Assert.Equal(folderExisted, Directory.Exists(dir.File("runs")));
        if (folderExisted)
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));
        }
    }

    /// <summary>Captures what is written and cancels once a line starts with a given prefix.</summary>
    private sealed class CancellingWriter(CancellationTokenSource source, string prefix) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                source.Cancel();
            }
        }
    }
}

using Microsoft.ML.Pruning.Cli;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.IO;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// A run's final files (model.onnx, report.json, report.md, charts) appear as one set: a kill, a full disk or a
/// signal at any step of writing them leaves the earlier run's whole set or this run's whole set, never a mix; and
/// inspect refuses a model whose folder does not hold a whole set.
/// </summary>
/// <remarks>
/// Every case starts from the same earlier run (1 round: five files with two charts) and writes over it a run of
/// 0 rounds (three files, no charts), so a mix of the two, or charts left over, would show.
/// </remarks>
public sealed class OutputSetTests(OutputSetTests.EarlierRun earlier) : IClassFixture<OutputSetTests.EarlierRun>
{
    /// <summary>The steps of writing the later run's set, in order (the names <see cref="OutputSet"/> reports).</summary>
    private static readonly string[] Steps =
    {
        "staged:model.onnx", "staged:report", "marker-staged", "old-marker-removed", "old-files-removed",
        "moved:model.onnx", "moved:report.json", "moved:report.md", "marker-moved", "staging-removed",
    };

    private static readonly int CommitBegins = Array.IndexOf(Steps, "marker-staged");

    [Fact]
    public async Task AKillAtAnyStepLeavesAWholeSetOnceTheNextRunHasOpenedTheFolder()
    {
        using var dir = new TempDirectory();
        string outDir = earlier.CopyTo(dir.File("out"));
        int dead = DeadProcess.Id();
        var seen = new List<string>();
        void Freeze(string step)
        {
            seen.Add(step);
            SnapshotAsKilled(outDir, dir.File($"killed-{seen.Count:D2}"), dead);
        }

        var (code, _, stderr) = await RunWithSteps(Later(outDir), Freeze);

        Assert.True(code == 0, stderr);
        Assert.Equal(Steps, seen);
        string laterRun = AssertWholeSet(outDir).RunId;
        for (int i = 0; i < Steps.Length; i++)
        {
            string killed = dir.File($"killed-{i + 1:D2}");
            string model = Path.Combine(killed, "model.onnx");
            bool pending = i >= CommitBegins && i < Array.IndexOf(Steps, "marker-moved");
            // What a reader without this tool relies on: a marker in the folder always matches the files beside it.
            if (CompletionMarker.Read(Path.Combine(killed, OutputSetKind.Prune.MarkerFile)) is { } present)
            {
                Assert.True(present.Mismatches(killed).Count == 0, $"killed at {Steps[i]}: {string.Join("; ", present.Mismatches(killed))}");
            }

            if (pending)
            {
                var refused = Assert.Throws<CliUsageException>(() => OutputSetCheck.Verify(model));
                Assert.Contains("were being replaced when their run (PID", refused.Message);
            }
            else
            {
                Assert.Equal(i < CommitBegins ? earlier.RunId : laterRun, OutputSetCheck.Verify(model)!.RunId);
            }

            var log = new StringWriter();
            using (OutputFolder.Open(killed, "prune", log))
            {
            }

            var marker = AssertWholeSet(killed);
            Assert.True(marker.RunId == (i < CommitBegins ? earlier.RunId : laterRun), $"killed at {Steps[i]}: the folder holds run {marker.RunId}");
            Assert.Equal(pending, log.ToString().Contains("finished putting in place the prune run"));
        }
    }

    [Theory]
    [InlineData("staged:model.onnx")]
    [InlineData("staged:report")]
    public async Task AFullDiskWhileWritingExitsOneAndLeavesTheEarlierSetWhole(string step)
    {
        using var dir = new TempDirectory();
        string outDir = earlier.CopyTo(dir.File("out"));

        var (code, stdout, stderr) = await RunWithSteps(Later(outDir), s =>
        {
            if (s == step)
            {
                throw new IOException("No space left on device");
            }
        });

        Assert.Equal(1, code);
        string last = stderr.Trim().Split('\n')[^1];
        Assert.StartsWith("mlnet-prune: cannot write the final files to", last);
        Assert.EndsWith("No space left on device. None were written; the earlier files there are unchanged.", last);
        Assert.DoesNotContain("Exception", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(earlier.RunId, AssertWholeSet(outDir).RunId);
    }

    [Theory]
    [InlineData("staged:model.onnx")]
    [InlineData("staged:report")]
    [InlineData("marker-staged")]
    [InlineData("moved:model.onnx")]
    [InlineData("marker-moved")]
    public async Task ASignalAtAnyStepExits130WithTheEarlierOrTheLaterSetWhole(string step)
    {
        using var dir = new TempDirectory();
        string outDir = earlier.CopyTo(dir.File("out"));
        using var signal = new CancellationTokenSource();

        var (code, stdout, stderr) = await RunWithSteps(Later(outDir), s =>
        {
            if (s == step)
            {
                signal.Cancel();
            }
        }, signal.Token);

        Assert.True(code == 130, stderr);
        Assert.Equal("", stdout);
        bool committed = Array.IndexOf(Steps, step) >= CommitBegins;
        var marker = AssertWholeSet(outDir);
        Assert.Equal(committed, marker.RunId != earlier.RunId);
        Assert.Contains(committed ? "they are complete" : "none were", stderr);
    }

    [Fact]
    public async Task InspectVouchesForAWholeSetAndRefusesAChangedOne()
    {
        using var dir = new TempDirectory();
        string outDir = earlier.CopyTo(dir.File("out"));
        string model = Path.Combine(outDir, "model.onnx");

        var whole = await Run("inspect", model);
        File.AppendAllText(Path.Combine(outDir, "report.md"), "edited\n");
        var changed = await Run("inspect", model);

        Assert.True(whole.Code == 0, whole.Err);
        Assert.Contains($"output set: complete, prune run {earlier.RunId[..8]}", whole.Out);
        Assert.Equal(2, changed.Code);
        Assert.Contains("disagree with prune.complete.json (report.md has", changed.Err);
    }

    [Fact]
    public async Task BenchAndPruneShareAFolderWithoutTouchingEachOthersSet()
    {
        using var dir = new TempDirectory();
        string outDir = earlier.CopyTo(dir.File("out"));

        var (code, _, stderr) = await Run("bench", "--data", $"csv:{earlier.Csv}", "--arch", "mlp:8", "--methods", "lth", "--rounds", "1",
            "--epochs", "1", "--pretrain-epochs", "1", "--out", outDir);

        Assert.True(code == 0, stderr);
        Assert.Equal(earlier.RunId, AssertWholeSet(outDir).RunId);
        var bench = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Bench.MarkerFile))!;
        Assert.Empty(bench.Mismatches(outDir));
        Assert.Contains(bench.Files, f => f.Name == "bench.json");
    }

    /// <summary>The later run: 0 rounds, so its set has no charts.</summary>
    private string[] Later(string outDir) => TinyCsv.QuickPrune(earlier.Csv, outDir).With("--rounds", "0");

    private static async Task<(int Code, string Out, string Err)> RunWithSteps(string[] args, Action<string> step, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApplication.RunAsync(args, output, error, cancellationToken, step);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The folder holds one whole prune set and nothing half-written: its marker's files all match, no other set
    /// file is there, and no temporary or staging folder is left.
    /// </summary>
    private static CompletionMarker AssertWholeSet(string outDir)
    {
        var marker = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile));
        Assert.NotNull(marker);
        Assert.Empty(marker.Mismatches(outDir));
        var present = OutputSetKind.Prune.Files.Where(f => File.Exists(Path.Combine(outDir, f))).Order();
        Assert.Equal(marker.Files.Select(f => f.Name).Order(), present);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => AtomicFile.TryParseTemporaryName(Path.GetFileName(e), out _, out _));
        Assert.False(File.Exists(Path.Combine(outDir, OutputLock.FileName)));
        return marker;
    }

    /// <summary>
    /// Copies the folder as a kill -9 at this moment would leave it: every file and the staging folder as they are,
    /// with this process's id in temporary names and the lock replaced by <paramref name="deadPid"/>.
    /// </summary>
    private static void SnapshotAsKilled(string source, string target, int deadPid)
    {
        string self = $".{Environment.ProcessId}.";
        Directory.CreateDirectory(target);
        foreach (string entry in Directory.EnumerateFileSystemEntries(source))
        {
            string name = Path.GetFileName(entry).Replace(self, $".{deadPid}.", StringComparison.Ordinal);
            string copy = Path.Combine(target, name);
            if (Directory.Exists(entry))
            {
                SnapshotAsKilled(entry, copy, deadPid);
            }
            else if (name == OutputLock.FileName)
            {
                File.WriteAllText(copy, (LockOwner.Parse(File.ReadAllText(entry))! with { Pid = deadPid }).ToJson());
            }
            else
            {
                File.Copy(entry, copy);
            }
        }
    }

    /// <summary>One earlier run's output folder (1 round, five files), copied into each case.</summary>
    public sealed class EarlierRun : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public EarlierRun()
        {
            Csv = TinyCsv.Classes(_dir.Path);
            string outDir = _dir.File("earlier");
            var (code, _, stderr) = Run(TinyCsv.QuickPrune(Csv, outDir)).GetAwaiter().GetResult();
            Assert.True(code == 0, stderr);
            var marker = CompletionMarker.Read(Path.Combine(outDir, OutputSetKind.Prune.MarkerFile))!;
            Assert.Equal(5, marker.Files.Count);
            RunId = marker.RunId;
            Folder = outDir;
        }

        public string Csv { get; }

        public string Folder { get; }

        public string RunId { get; }

        public string CopyTo(string target)
        {
            Directory.CreateDirectory(target);
            foreach (string file in Directory.GetFiles(Folder))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }

            return target;
        }

        public void Dispose() => _dir.Dispose();
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// Ctrl+C on a running <c>mlnet-prune prune</c>: the process stops soon with exit code 130, keeps the last completed
/// round's checkpoint, and <c>--resume</c> then ends exactly where an uninterrupted run ends.
/// </summary>
public sealed class InterruptTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    // Fixed-length rounds (lth), so the signal lands inside a round whatever the machine's speed; resuming with ICP's
    // sub-epoch decisions is held to the same result by Pruning/CheckpointResumeTests.
    private static readonly string[] Arguments = { "prune", "--arch", "mlp:64", "--method", "lth", "--rounds", "4", "--epochs", "3", "--pretrain-epochs", "2", "--seed", "3" };

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Fact]
    public async Task InterruptedRunExits130KeepsItsCheckpointAndResumesToTheUninterruptedResult()
    {
        using var interrupted = new TempDirectory();
        using var uninterrupted = new TempDirectory();

        var (code, stderr, signal) = RunAndInterrupt(interrupted.Path, afterLine: "round 2/4");

        Assert.True(code == 130, $"exit code {code} after SIG{signal}; stderr:\n{stderr}");
        Assert.Contains("cancelled", stderr);
        Assert.True(File.Exists(Path.Combine(interrupted.Path, "checkpoint.bin")), "no checkpoint after the interrupt");
        Assert.False(File.Exists(Path.Combine(interrupted.Path, "model.onnx")), "an interrupted run must not leave a final model");
        Assert.Empty(Directory.GetFiles(interrupted.Path, "*.tmp"));

        var resumed = await Run(Arguments.Concat(new[] { "--out", interrupted.Path, "--resume" }).ToArray());
        var full = await Run(Arguments.Concat(new[] { "--out", uninterrupted.Path }).ToArray());

        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.True(full.Code == 0, full.Err);
        Assert.Equal(RoundsWithoutTimes(uninterrupted.File("report.json")), RoundsWithoutTimes(interrupted.File("report.json")));
        Assert.Equal(File.ReadAllBytes(uninterrupted.File("model.onnx")), File.ReadAllBytes(interrupted.File("model.onnx")));
    }

    /// <summary>
    /// Runs the tool as its own process and sends it Ctrl+C's signal once <paramref name="afterLine"/> appears on stderr.
    /// A process started with SIGINT ignored (a background job of a non-interactive shell) passes that on to its children,
    /// where .NET leaves it ignored; there the test sends SIGTERM, which the tool handles on the same path.
    /// </summary>
    private static (int Code, string Stderr, string Signal) RunAndInterrupt(string outDirectory, string afterLine)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "mlnet-prune.dll");
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(tool);
        foreach (var a in Arguments.Concat(new[] { "--out", outDirectory }))
        {
            info.ArgumentList.Add(a);
        }

        var stderr = new StringBuilder();
        using var reached = new ManualResetEventSlim();
        using var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (e.Data.StartsWith(afterLine, StringComparison.Ordinal))
            {
                reached.Set();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            Assert.True(reached.Wait(TimeSpan.FromMinutes(3)), $"'{afterLine}' never appeared:\n{stderr}");
            bool intIgnored = SignalIgnoredHere(SigInt);
            Assert.Equal(0, kill(process.Id, intIgnored ? SigTerm : SigInt));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the tool did not stop within 60 s of the signal");
            process.WaitForExit();
            lock (stderr)
            {
                return (process.ExitCode, stderr.ToString(), intIgnored ? "TERM" : "INT");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Whether <paramref name="signal"/> is ignored in this process (and so in the children it starts).</summary>
    private static bool SignalIgnoredHere(int signal)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    private static string RoundsWithoutTimes(string reportPath)
    {
        var rounds = JsonDocument.Parse(File.ReadAllText(reportPath)).RootElement.GetProperty("rounds");
        var kept = rounds.EnumerateArray().Select(r => string.Join(";", r.EnumerateObject()
            .Where(p => !p.Name.Contains("seconds", StringComparison.OrdinalIgnoreCase))
            .Select(p => $"{p.Name}={p.Value.GetRawText()}")));
        return string.Join("\n", kept);
    }
}

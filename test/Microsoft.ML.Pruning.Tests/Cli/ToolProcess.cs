using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>mlnet-prune</c> as its own process, for what only a real process shows: signals, kill -9, two runs at once.</summary>
internal sealed class ToolProcess : IDisposable
{
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Prefix, ManualResetEventSlim Seen)> _waits = new();

    public ToolProcess(params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlnet-prune.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        _process = new Process { StartInfo = info };
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.OutputDataReceived += (_, _) => { };
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits until a line of stderr starts with <paramref name="prefix"/>; fails the test after three minutes.</summary>
    public void WaitForLine(string prefix)
    {
        var seen = new ManualResetEventSlim();
        lock (_stderr)
        {
            if (_stderr.ToString().Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return;
            }

            _waits.Add((prefix, seen));
        }

        Assert.True(seen.Wait(TimeSpan.FromMinutes(3)), $"'{prefix}' never appeared:\n{Stderr}");
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>The exit code; fails the test when the process runs on for a minute.</summary>
    public int WaitForExit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(60)), $"the tool did not stop within 60 s:\n{Stderr}");
        _process.WaitForExit(); // drains the readers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
            foreach (var (prefix, seen) in _waits.Where(w => line.StartsWith(w.Prefix, StringComparison.Ordinal)))
            {
                seen.Set();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static string DotnetHost() =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
}

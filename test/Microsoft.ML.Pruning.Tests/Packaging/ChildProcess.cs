using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.Pruning.Tests.Packaging;

/// <summary>The result of a child process: exit code and interleaved output.</summary>
internal sealed record ChildResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"`{Command}` exited {ExitCode} after {Elapsed.TotalSeconds:F0} s:\n{Output}";
}

/// <summary>Runs a child process with a time limit; on timeout the whole process tree is killed and the test fails.</summary>
internal static class ChildProcess
{
    public static ChildResult Run(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // The test host runs under `dotnet test`: MSBuild's variables would point a nested build at the outer one's SDK state.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDNODEREUSE"] = "0"; // no build servers left running after the test
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        string command = fileName + " " + string.Join(' ', info.ArgumentList);
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            string text;
            lock (output) { text = output.ToString(); }
            throw new Xunit.Sdk.XunitException($"`{command}` did not finish within {timeout.TotalSeconds:F0} s and was killed. Output:\n{text}");
        }

        process.WaitForExit(); // drains the asynchronous readers
        lock (output)
        {
            return new ChildResult(command, process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }

    /// <summary>Runs and asserts exit code 0, failing with the captured output otherwise.</summary>
    public static ChildResult RunOk(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = Run(fileName, args, workingDirectory, timeout, environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}

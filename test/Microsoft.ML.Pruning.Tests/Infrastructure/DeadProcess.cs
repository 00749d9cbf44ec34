using System.Diagnostics;

namespace Microsoft.ML.Pruning.Tests.Infrastructure;

/// <summary>The id of a process that has exited: what a lock or temporary file of a killed run names.</summary>
internal static class DeadProcess
{
    public static int Id()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}

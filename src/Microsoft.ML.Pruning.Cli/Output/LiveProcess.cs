using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>Whether the process that left a lock or a temporary file behind is still running.</summary>
internal static class LiveProcess
{
    /// <summary>The current process's start time (UTC), recorded in lock files so a reused process id is not taken for the owner.</summary>
    public static DateTime CurrentStartUtc { get; } = StartUtc(Environment.ProcessId) ?? DateTime.UtcNow;

    /// <summary>
    /// True when process <paramref name="processId"/> runs, and, when <paramref name="startedUtc"/> is given, was
    /// started then (within two seconds): a process that reuses a dead owner's id is not the owner. When the start
    /// time cannot be read the process counts as alive: a lock is never taken from a run that may be live.
    /// </summary>
    public static bool IsAlive(int processId, DateTime? startedUtc = null)
    {
        if (processId <= 0)
        {
            return false;
        }

        if (processId == Environment.ProcessId)
        {
            return startedUtc is null || Near(CurrentStartUtc, startedUtc.Value);
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            if (IsZombie(processId))
            {
                return false;
            }

            if (startedUtc is null)
            {
                return true;
            }

            return StartUtc(process) is not { } start || Near(start, startedUtc.Value);
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false; // it exited while we looked
        }
    }

    private static bool Near(DateTime a, DateTime b) => Math.Abs((a - b).TotalSeconds) < 2;

    private static DateTime? StartUtc(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return StartUtc(process);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static DateTime? StartUtc(Process process)
    {
        try
        {
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>A killed process whose parent has not yet reaped it still has an id, but it will never write again.</summary>
    private static bool IsZombie(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // /proc/PID/stat: "pid (comm) S ..." — the state letter follows the last ')'.
            string stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/stat"));
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

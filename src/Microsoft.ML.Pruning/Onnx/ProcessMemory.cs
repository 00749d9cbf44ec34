using System.Globalization;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The process's resident memory and its peak, as Linux reports them (<c>/proc/self/status</c>: VmRSS, VmHWM), with
/// the peak reset through <c>/proc/self/clear_refs</c> ("5", Linux 4.0+). What ONNX Runtime allocates is native memory
/// the .NET runtime does not see, so the operating system's count of resident pages is the measure that includes it.
/// </summary>
internal static unsafe class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";
    private const string ClearRefsPath = "/proc/self/clear_refs";
    private static readonly Lazy<string?> Unavailable = new(FindWhyUnavailable);
    private static readonly Lazy<IntPtr> MallocTrim = new(FindMallocTrim);

    /// <summary>Null when peaks can be measured here; otherwise why not.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>Resident bytes now.</summary>
    public static long ResidentBytes() => ReadStatusKilobytes("VmRSS:") * 1024;

    /// <summary>Peak resident bytes since the last <see cref="ResetPeak"/> (or since the process started).</summary>
    public static long PeakBytes() => ReadStatusKilobytes("VmHWM:") * 1024;

    /// <summary>Sets the peak to the current resident size.</summary>
    public static void ResetPeak() => File.WriteAllText(ClearRefsPath, "5");

    /// <summary>
    /// Brings the process to a settled state before a measurement: managed garbage collected (finalizers run, so
    /// released ONNX Runtime objects free their native memory), and free native heap returned to the system (glibc's
    /// <c>malloc_trim</c>), so that memory freed by an earlier session is not silently reused by the next one.
    /// </summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (MallocTrim.Value != IntPtr.Zero)
        {
            ((delegate* unmanaged<nuint, int>)MallocTrim.Value)(0);
        }
    }

    private static long ReadStatusKilobytes(string key)
    {
        foreach (var line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                // "VmRSS:     12345 kB"
                var parts = line[key.Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        throw new IOException($"{StatusPath} has no {key} line.");
    }

    private static string? FindWhyUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "peak memory is measured on Linux only (resident-set peak from /proc/self/status)";
        }

        try
        {
            ResidentBytes();
            PeakBytes();
            ResetPeak();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return $"the resident-set peak cannot be read or reset here ({e.Message})";
        }
    }

    private static IntPtr FindMallocTrim() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim)
            ? trim
            : IntPtr.Zero;
}

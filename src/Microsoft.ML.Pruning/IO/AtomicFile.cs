using System.Text;

namespace Microsoft.ML.Pruning.IO;

/// <summary>
/// Writes files so that readers see either the old file or the complete new one, never a half-written file:
/// the content goes to a temporary name in the same folder, which is then renamed over the target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM).</summary>
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        s.Write(bytes, 0, bytes.Length);
    });

    /// <summary>Writes <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy, 0, copy.Length));
    }

    /// <summary>Writes whatever <paramref name="write"/> puts into the stream.</summary>
    /// <exception cref="IOException">The folder cannot be created or written; the message names the path.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, TemporaryName(Path.GetFileName(full)));
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"Cannot write '{full}': {e.Message}", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// A hidden name for a temporary file or folder next to <paramref name="name"/>: <c>.NAME.PID.GUID.tmp</c>. The
    /// process id lets a later run tell a leftover of a killed process (safe to remove) from one still being written.
    /// </summary>
    public static string TemporaryName(string name) => $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>Whether <paramref name="fileName"/> is a <see cref="TemporaryName"/>, and which process made it.</summary>
    public static bool TryParseTemporaryName(string fileName, out string name, out int processId)
    {
        name = "";
        processId = 0;
        if (!fileName.StartsWith('.') || !fileName.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = fileName[1..^".tmp".Length].Split('.');
        if (parts.Length < 3 || parts[^1].Length != 32 || !parts[^1].All(char.IsAsciiHexDigit)
            || !int.TryParse(parts[^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out processId))
        {
            return false;
        }

        name = string.Join('.', parts[..^2]);
        return name.Length > 0;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temp file we could not remove.
        }
    }
}

using System.IO.Compression;

namespace Microsoft.ML.Pruning.Data;

/// <summary>Reads whole data files, transparently un-gzipping them, with errors that name the file.</summary>
internal static class DataFile
{
    /// <summary>
    /// Throws <see cref="FileNotFoundException"/> naming <paramref name="what"/> and the path when it is absent, or
    /// when the path is a folder (saying so: "not found" would send the user looking for a file that is there).
    /// </summary>
    public static string RequireExists(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new FileNotFoundException($"The {what} '{path}' is a folder, not a file.", full);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The {what} '{path}' was not found (looked for '{full}').", full);
        }

        return full;
    }

    /// <summary>
    /// Throws <see cref="DirectoryNotFoundException"/> naming <paramref name="what"/> and the path when no folder is
    /// there, saying so when the path is a file.
    /// </summary>
    public static void RequireDirectory(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new DirectoryNotFoundException($"The {what} '{path}' is a file, not a folder.");
        }

        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The {what} '{path}' was not found (looked for '{full}').");
        }
    }

    /// <summary>
    /// The file's bytes, decompressed when it starts with the gzip magic bytes 1f 8b (detected by content, not by
    /// extension: downloads are often renamed or unpacked without renaming).
    /// </summary>
    public static byte[] ReadAllBytes(string path, string what)
    {
        string full = RequireExists(path, what);
        byte[] raw = File.ReadAllBytes(full);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            return raw;
        }

        try
        {
            using var input = new MemoryStream(raw, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"The {what} '{path}' starts like a gzip file but cannot be decompressed (corrupt or truncated): {e.Message}", e);
        }
    }
}

using Microsoft.ML.Pruning.IO;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// Removes the hidden temporary files and folders (<c>.NAME.PID.GUID.tmp</c>, see <see cref="AtomicFile"/>) that
/// killed processes left in an output folder. Only those whose process is gone: a live one may still be writing.
/// </summary>
internal static class StaleTemporaries
{
    /// <summary>Removes the stale temporaries in <paramref name="directory"/> (not in sub-folders); returns how many.</summary>
    public static int Remove(string directory)
    {
        int removed = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(directory))
        {
            if (!AtomicFile.TryParseTemporaryName(Path.GetFileName(path), out _, out int pid) || LiveProcess.IsAlive(pid))
            {
                continue;
            }

            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }

                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for a later run: a leftover must not stop this one.
            }
        }

        return removed;
    }
}

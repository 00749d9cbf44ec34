using Microsoft.ML.Pruning.IO;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// Whether a file belongs to a complete output set: what <c>inspect</c> checks before it shows a model from an
/// output folder, so a model of a half-replaced folder is never shown as a finished run's.
/// </summary>
internal static class OutputSetCheck
{
    /// <summary>
    /// The completion marker that vouches for <paramref name="path"/>, or null when the file is not part of an output
    /// set (no marker in its folder lists it, and no interrupted set does).
    /// </summary>
    /// <exception cref="CliUsageException">The file belongs to a set that is being written, was interrupted while
    /// being written, or whose files disagree with its marker.</exception>
    public static CompletionMarker? Verify(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        foreach (var kind in OutputSetKind.All.Where(k => k.Files.Contains(name)))
        {
            CheckNoPendingSet(path, directory, name, kind);
            CompletionMarker? marker;
            try
            {
                marker = CompletionMarker.Read(Path.Combine(directory, kind.MarkerFile));
            }
            catch (InvalidDataException e)
            {
                throw new CliUsageException($"{path} cannot be vouched for: {e.Message}", e);
            }

            if (marker is null || !marker.Lists(name))
            {
                continue;
            }

            var mismatches = marker.Mismatches(directory);
            if (mismatches.Count > 0)
            {
                throw new CliUsageException(
                    $"{path} is in a folder whose {kind.Command} outputs disagree with {kind.MarkerFile} ({string.Join("; ", mismatches)}): " +
                    "they are not one run's complete set. Run the command again to write a whole set.");
            }

            return marker;
        }

        return null;
    }

    /// <summary>Refuses a file while a set that lists it waits in a staging folder: the folder may hold a mix of two runs.</summary>
    private static void CheckNoPendingSet(string path, string directory, string name, OutputSetKind kind)
    {
        foreach (string staging in Directory.EnumerateDirectories(directory))
        {
            if (!AtomicFile.TryParseTemporaryName(Path.GetFileName(staging), out string stagingName, out int pid) || stagingName != kind.StagingName)
            {
                continue;
            }

            CompletionMarker? pending;
            try
            {
                pending = CompletionMarker.Read(Path.Combine(staging, kind.MarkerFile));
            }
            catch (InvalidDataException)
            {
                continue;
            }

            if (pending is null || !pending.Lists(name))
            {
                continue; // still being staged: the folder's own set is untouched
            }

            throw new CliUsageException(LiveProcess.IsAlive(pid)
                ? $"{path} is being replaced right now by a {kind.Command} run (PID {pid}) putting its outputs in place; try again in a moment."
                : $"{path} is in a folder whose {kind.Command} outputs were being replaced when their run (PID {pid}) stopped: " +
                  $"the folder may mix two runs. The next mlnet-prune {kind.Command} run with this --out completes the set first.");
        }
    }
}

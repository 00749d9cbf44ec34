namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// The <c>--out</c> folder of a run: checked before any training without creating anything, then created and
/// locked when training starts. Opening it finishes or removes the output sets of interrupted runs and removes the
/// temporary files of killed ones; closing it releases the lock and removes the folder again when this run created
/// it and left nothing in it.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private readonly string? _createdRoot;

    private OutputFolder(string fullPath, OutputLock outputLock, string? createdRoot)
    {
        FullPath = fullPath;
        Lock = outputLock;
        _createdRoot = createdRoot;
    }

    /// <summary>The folder's full path.</summary>
    public string FullPath { get; }

    /// <summary>This run's lock on the folder.</summary>
    public OutputLock Lock { get; }

    /// <summary>
    /// The full path of <c>--out</c> <paramref name="path"/>, refused when it, or a folder above it, is a file.
    /// Creates nothing: a run refused later for bad input leaves no folder behind.
    /// </summary>
    /// <exception cref="CliUsageException">The path cannot be a folder.</exception>
    public static string Check(string path)
    {
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliUsageException($"--out '{path}' is not a valid path: {e.Message}", e);
        }

        for (string? p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                throw new CliUsageException(p == full
                    ? $"--out '{path}' is a file; give a folder for the outputs."
                    : $"--out '{path}' cannot be created: '{p}' is a file.");
            }

            if (Directory.Exists(p))
            {
                break;
            }
        }

        return full;
    }

    /// <summary>Creates (if needed) and locks the folder, then cleans up after interrupted runs.</summary>
    /// <param name="fullPath">The path <see cref="Check"/> returned.</param>
    /// <param name="command">The command, recorded in the lock file.</param>
    /// <param name="log">Told what was cleaned up, one line each.</param>
    /// <exception cref="CliUsageException">The folder cannot be created or written, or another run holds it.</exception>
    public static OutputFolder Open(string fullPath, string command, TextWriter log)
    {
        string? created = FirstMissing(fullPath);
        OutputLock outputLock;
        try
        {
            Directory.CreateDirectory(fullPath);
            outputLock = OutputLock.Acquire(fullPath, command);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveIfEmpty(fullPath, created);
            throw new CliUsageException($"--out '{fullPath}' is not a writable folder: {e.Message}", e);
        }
        catch
        {
            RemoveIfEmpty(fullPath, created);
            throw;
        }

        try
        {
            foreach (string line in OutputSet.RecoverInterrupted(fullPath))
            {
                log.WriteLine($"mlnet-prune: {line}.");
            }

            StaleTemporaries.Remove(fullPath);
        }
        catch
        {
            outputLock.Dispose();
            throw;
        }

        return new OutputFolder(fullPath, outputLock, created);
    }

    /// <summary>The completion marker of <paramref name="kind"/>'s set in the folder, or null.</summary>
    public CompletionMarker? Marker(OutputSetKind kind)
    {
        try
        {
            return CompletionMarker.Read(Path.Combine(FullPath, kind.MarkerFile));
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock; removes the folder when this run created it and nothing is in it.</summary>
    public void Dispose()
    {
        Lock.Dispose();
        RemoveIfEmpty(FullPath, _createdRoot);
    }

    /// <summary>The outermost folder of <paramref name="path"/> that does not exist yet, or null when it exists.</summary>
    private static string? FirstMissing(string path)
    {
        string? missing = null;
        for (string? p = path; p is not null && !Directory.Exists(p); p = Path.GetDirectoryName(p))
        {
            missing = p;
        }

        return missing;
    }

    /// <summary>Removes the empty folders this run created, from <paramref name="path"/> up to <paramref name="createdRoot"/>.</summary>
    private static void RemoveIfEmpty(string path, string? createdRoot)
    {
        if (createdRoot is null)
        {
            return;
        }

        try
        {
            for (string? p = path; p is not null && p.Length >= createdRoot.Length; p = Path.GetDirectoryName(p))
            {
                if (!Directory.Exists(p) || Directory.EnumerateFileSystemEntries(p).Any())
                {
                    return;
                }

                Directory.Delete(p);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An empty folder left behind is harmless.
        }
    }
}

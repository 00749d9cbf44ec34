using Microsoft.ML.Pruning.IO;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// One run at a time per output folder: a lock file naming the owner's process. A second run is refused with the
/// owner's PID; a lock whose process is gone (killed, or the machine restarted) is taken over.
/// </summary>
/// <remarks>
/// The lock file is created whole by moving a written temporary file to its name without overwriting (an atomic
/// create), so a reader never sees half a lock. Taking over a stale lock first moves it aside and checks that what
/// was moved is still the stale lock; and <see cref="VerifyHeld"/> lets a run confirm, just before it puts its
/// outputs in place, that no other run has taken the folder meanwhile.
/// </remarks>
internal sealed class OutputLock : IDisposable
{
    /// <summary>The lock file's name in the output folder.</summary>
    public const string FileName = ".mlnet-prune.lock";

    private const int Attempts = 5;
    private readonly string _path;
    private bool _released;

    private OutputLock(string path, LockOwner owner)
    {
        _path = path;
        Owner = owner;
    }

    /// <summary>This run, as written in the lock file.</summary>
    public LockOwner Owner { get; }

    /// <summary>Takes the lock of <paramref name="directory"/> for <paramref name="command"/>.</summary>
    /// <exception cref="CliUsageException">Another live run holds it (the message names its PID).</exception>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static OutputLock Acquire(string directory, string command)
    {
        string path = Path.Combine(directory, FileName);
        var me = LockOwner.Current(command);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (TryCreate(path, me))
            {
                return new OutputLock(path, me);
            }

            string? text = TryReadText(path);
            if (text is null)
            {
                continue; // released between our attempt and the read: try again
            }

            var owner = LockOwner.Parse(text);
            if (owner is not null && owner.MayBeAlive)
            {
                throw new CliUsageException(
                    $"--out '{directory}' is in use by another mlnet-prune run: {owner.Describe()} holds {path}. " +
                    "Wait for it to finish, or give this run another --out.");
            }

            TakeOverStale(path, text);
        }

        throw new CliUsageException($"--out '{directory}': the lock file {path} keeps changing hands; try again, or give this run another --out.");
    }

    /// <summary>Throws unless the lock file still names this run.</summary>
    /// <exception cref="IOException">Another run has taken the folder.</exception>
    public void VerifyHeld()
    {
        if (LockOwner.Parse(TryReadText(_path) ?? "") is not { } owner || owner.Token != Owner.Token)
        {
            throw new IOException($"The lock file {_path} no longer names this run: another run took the folder over; this run's outputs were not put in place.");
        }
    }

    /// <summary>Removes the lock file if it still names this run.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            if (LockOwner.Parse(TryReadText(_path) ?? "") is { } owner && owner.Token == Owner.Token)
            {
                File.Delete(_path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock we cannot remove is stale once this process ends: the next run takes it over.
        }
    }

    private static bool TryCreate(string path, LockOwner me)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, AtomicFile.TemporaryName(FileName));
        File.WriteAllText(temp, me.ToJson());
        try
        {
            File.Move(temp, path, overwrite: false); // fails when a lock exists: an atomic create of a whole file
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp); // no-op when moved
        }
    }

    /// <summary>Moves the stale lock aside; when what was moved is not the stale lock (a live run took it meanwhile), puts it back.</summary>
    private static void TakeOverStale(string path, string staleText)
    {
        string aside = Path.Combine(Path.GetDirectoryName(path)!, AtomicFile.TemporaryName(FileName));
        try
        {
            File.Move(path, aside, overwrite: false);
        }
        catch (FileNotFoundException)
        {
            return; // someone else removed it first
        }

        if (File.ReadAllText(aside) != staleText)
        {
            try
            {
                File.Move(aside, path, overwrite: false);
                return;
            }
            catch (IOException)
            {
                // A third run created a lock meanwhile; the one we moved has lost its folder and will see so in VerifyHeld.
            }
        }

        File.Delete(aside);
    }

    private static string? TryReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}

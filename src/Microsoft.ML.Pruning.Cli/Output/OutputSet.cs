using Microsoft.ML.Pruning.IO;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// Writes a command's final files so that they appear in the output folder as one set: the whole set of this run,
/// or (when the run stops first) the earlier set untouched — never a mix of two runs, never a partial set that
/// looks finished. See docs/reliability.md.
/// </summary>
/// <remarks>
/// <para>Staging: every file is written into a hidden folder inside the output folder (<c>.prune-outputs.PID.GUID.tmp</c>),
/// each flushed to disk. Nothing in the output folder changes, so a failure (a full disk, an error, Ctrl+C) only
/// removes the staging folder.</para>
/// <para>Commit: the completion marker is written into the staging folder last; from then on the set is complete
/// and is put in place even after a kill: the old marker is removed, files of the old set that the new one lacks
/// are removed, each staged file is renamed over its name (an atomic rename, same file system), the marker is renamed
/// into place, and the empty staging folder is removed.</para>
/// <para>Recovery: a later run in the folder finds a staging folder of a process that is gone. Without a marker it is
/// deleted (the old set is still whole); with one, the same steps finish the commit (each is safe to repeat), checking
/// that files already moved are the listed ones.</para>
/// </remarks>
internal sealed class OutputSet
{
    private readonly string _directory;
    private readonly OutputLock _lock;
    private readonly OutputSetKind _kind;
    private readonly Action<string>? _step;
    private readonly CancellationToken _cancellationToken;
    private bool _committing;

    private OutputSet(string directory, OutputLock outputLock, OutputSetKind kind, string staging, Action<string>? step, CancellationToken cancellationToken)
    {
        _directory = directory;
        _lock = outputLock;
        _kind = kind;
        StagingDirectory = staging;
        _step = step;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The hidden folder the files are written into before they are put in place.</summary>
    public string StagingDirectory { get; }

    /// <summary>
    /// Starts a set in <paramref name="folder"/>. Nothing is written yet: the staging folder is created by the first
    /// file written into it, inside the caller's error handling.
    /// </summary>
    /// <param name="folder">The locked output folder.</param>
    /// <param name="kind">Which command's set.</param>
    /// <param name="step">Called with the name of every step (e.g. <c>staged:model.onnx</c>, <c>moved:report.json</c>); lets tests stop or fail a run at any step.</param>
    /// <param name="cancellationToken">Checked after every staged file and before the commit: a cancelled run leaves no new file.</param>
    public static OutputSet Begin(OutputFolder folder, OutputSetKind kind, Action<string>? step, CancellationToken cancellationToken)
    {
        string staging = Path.Combine(folder.FullPath, AtomicFile.TemporaryName(kind.StagingName));
        return new OutputSet(folder.FullPath, folder.Lock, kind, staging, step, cancellationToken);
    }

    /// <summary>Where to write <paramref name="fileName"/> of the set (inside the staging folder).</summary>
    public string StagingPath(string fileName) =>
        _kind.Files.Contains(fileName) ? Path.Combine(StagingDirectory, fileName) : throw new ArgumentException($"'{fileName}' is not a file of the {_kind.Command} set.", nameof(fileName));

    /// <summary>Where <paramref name="fileName"/> will be once the set is in place.</summary>
    public string FinalPath(string fileName) => Path.Combine(_directory, fileName);

    /// <summary>Call after writing a file (or a group of files) into the staging folder.</summary>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public void Staged(string what)
    {
        Step("staged:" + what);
        _cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>True once the commit has begun: from then on the set is put in place, even by a later run after a kill.</summary>
    public bool Committing => _committing;

    /// <summary>Marks the staged set complete and puts it in place.</summary>
    /// <returns>The marker now in the output folder.</returns>
    /// <exception cref="OperationCanceledException">Cancelled before the commit began; nothing changed in the folder (call <see cref="Discard"/>).</exception>
    /// <exception cref="IOException">Before the commit began: nothing changed (call <see cref="Discard"/>). After: the
    /// set is complete in the staging folder and the next run in the folder puts it in place.</exception>
    public CompletionMarker Commit()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _lock.VerifyHeld();
        var files = _kind.Files.Select(StagingPathOrNull).OfType<string>().Select(MarkedFile.Of).ToList();
        var marker = new CompletionMarker(_kind.Command, Guid.NewGuid().ToString("N"), DateTime.UtcNow, Environment.ProcessId, files);
        AtomicFile.WriteAllText(Path.Combine(StagingDirectory, _kind.MarkerFile), marker.ToJson());
        _committing = true;
        Step("marker-staged");
        PutInPlace(_directory, StagingDirectory, _kind, marker, Step);
        return marker;
    }

    /// <summary>Removes the staging folder; the output folder is as it was before this set began.</summary>
    public void Discard()
    {
        if (_committing)
        {
            return; // complete: the next run puts it in place
        }

        try
        {
            Directory.Delete(StagingDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover staging folder without a marker is removed by the next run in the folder.
        }
    }

    /// <summary>
    /// Finishes or removes the output sets of processes that stopped while writing them (see the remarks).
    /// </summary>
    /// <returns>One line per set found, saying what was done.</returns>
    public static IReadOnlyList<string> RecoverInterrupted(string directory)
    {
        var done = new List<string>();
        foreach (var kind in OutputSetKind.All)
        {
            var pending = new List<(string Staging, CompletionMarker? Marker)>();
            foreach (string staging in Directory.EnumerateDirectories(directory))
            {
                if (AtomicFile.TryParseTemporaryName(Path.GetFileName(staging), out string name, out int pid) && name == kind.StagingName && !LiveProcess.IsAlive(pid))
                {
                    pending.Add((staging, TryReadMarker(Path.Combine(staging, kind.MarkerFile))));
                }
            }

            foreach (var (staging, marker) in pending.OrderBy(p => p.Marker?.CompletedUtc ?? DateTime.MinValue))
            {
                if (marker is null)
                {
                    Directory.Delete(staging, recursive: true);
                    continue;
                }

                done.Add(FinishInterrupted(directory, staging, kind, marker));
            }
        }

        return done;
    }

    private static string FinishInterrupted(string directory, string staging, OutputSetKind kind, CompletionMarker marker)
    {
        var missing = marker.Files.Where(f => !File.Exists(Path.Combine(staging, f.Name))).Select(f => f.Mismatch(directory)).OfType<string>().ToList();
        if (missing.Count == 0)
        {
            PutInPlace(directory, staging, kind, marker, null);
            return $"finished putting in place the {marker.Describe()}, whose process (PID {marker.ProcessId}) stopped while writing them";
        }

        // Files moved before the stop have changed since (not by this tool): the set cannot be made whole.
        File.Delete(Path.Combine(directory, kind.MarkerFile));
        foreach (string name in kind.Files)
        {
            File.Delete(Path.Combine(directory, name));
        }

        Directory.Delete(staging, recursive: true);
        return $"removed the {kind.Command} outputs of a run (PID {marker.ProcessId}) that stopped while writing them and cannot be completed ({string.Join("; ", missing)})";
    }

    /// <summary>The commit's steps after the marker is staged; each is safe to repeat.</summary>
    private static void PutInPlace(string directory, string staging, OutputSetKind kind, CompletionMarker marker, Action<string>? step)
    {
        File.Delete(Path.Combine(directory, kind.MarkerFile));
        step?.Invoke("old-marker-removed");
        foreach (string name in kind.Files.Where(n => !marker.Lists(n)))
        {
            File.Delete(Path.Combine(directory, name));
        }

        step?.Invoke("old-files-removed");
        foreach (var file in marker.Files)
        {
            string staged = Path.Combine(staging, file.Name);
            if (File.Exists(staged))
            {
                File.Move(staged, Path.Combine(directory, file.Name), overwrite: true);
            }

            step?.Invoke("moved:" + file.Name);
        }

        File.Move(Path.Combine(staging, kind.MarkerFile), Path.Combine(directory, kind.MarkerFile), overwrite: true);
        step?.Invoke("marker-moved");
        Directory.Delete(staging, recursive: true);
        step?.Invoke("staging-removed");
    }

    private string? StagingPathOrNull(string fileName)
    {
        string path = Path.Combine(StagingDirectory, fileName);
        return File.Exists(path) ? path : null;
    }

    private void Step(string name) => _step?.Invoke(name);

    private static CompletionMarker? TryReadMarker(string path)
    {
        try
        {
            return CompletionMarker.Read(path);
        }
        catch (InvalidDataException)
        {
            return null; // a marker is written atomically: an unreadable one was never complete
        }
    }
}

using System.Text.Json;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// The file that says an output set is complete (<c>prune.complete.json</c>, <c>bench.complete.json</c>): which run
/// wrote it and every file of the set with its size and SHA-256. It is the last thing put in place, and the first
/// thing removed when a later run replaces the set, so a folder whose marker is missing or disagrees with its files
/// does not hold a finished set.
/// </summary>
/// <param name="Command">"prune" or "bench".</param>
/// <param name="RunId">Unique per run.</param>
/// <param name="CompletedUtc">When the set was complete (staged).</param>
/// <param name="ProcessId">The process that wrote it.</param>
/// <param name="Files">The files of the set.</param>
internal sealed record CompletionMarker(string Command, string RunId, DateTime CompletedUtc, int ProcessId, IReadOnlyList<MarkedFile> Files)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>The marker's text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the marker at <paramref name="path"/>; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not a marker.</exception>
    public static CompletionMarker? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CompletionMarker>(text, Json) is { Files: not null, RunId: not null } marker
                ? marker
                : throw new InvalidDataException($"{path} is not a completion marker.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a completion marker: {e.Message}", e);
        }
    }

    /// <summary>Whether the set lists <paramref name="fileName"/>.</summary>
    public bool Lists(string fileName) => Files.Any(f => f.Name == fileName);

    /// <summary>What in <paramref name="directory"/> disagrees with the marker; empty when every file is as listed.</summary>
    public IReadOnlyList<string> Mismatches(string directory) => Files.Select(f => f.Mismatch(directory)).OfType<string>().ToList();

    /// <summary>"prune run 3f2a… completed 2025-01-02 10:11:12 UTC".</summary>
    public string Describe() => $"{Command} run {RunId[..Math.Min(8, RunId.Length)]} completed {CompletedUtc:yyyy-MM-dd HH:mm:ss} UTC";
}

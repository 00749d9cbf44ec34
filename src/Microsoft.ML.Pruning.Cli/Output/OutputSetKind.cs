using Microsoft.ML.Pruning.Reporting;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>
/// The final files one command writes to its output folder, which appear together or not at all, and the name of
/// the marker that says they are complete. <c>prune</c> and <c>bench</c> may share a folder: their sets do not overlap.
/// </summary>
/// <param name="Command">"prune" or "bench".</param>
/// <param name="Files">Every file name the set may hold (charts without data are left out of a set).</param>
internal sealed record OutputSetKind(string Command, IReadOnlyList<string> Files)
{
    /// <summary><c>prune</c>: the model, the report in JSON and Markdown, and its charts.</summary>
    public static OutputSetKind Prune { get; } = new("prune", ReportWriter.ReportFiles.Prepend("model.onnx").ToArray());

    /// <summary><c>bench</c>: the comparison in JSON and Markdown, and its charts.</summary>
    public static OutputSetKind Bench { get; } = new("bench", ReportWriter.ComparisonFiles);

    /// <summary>Both kinds.</summary>
    public static IReadOnlyList<OutputSetKind> All { get; } = new[] { Prune, Bench };

    /// <summary>The completion marker's file name, e.g. <c>prune.complete.json</c>.</summary>
    public string MarkerFile => $"{Command}.complete.json";

    /// <summary>The name inside the temporary name of the folder the set is written into before it is put in place.</summary>
    public string StagingName => $"{Command}-outputs";
}

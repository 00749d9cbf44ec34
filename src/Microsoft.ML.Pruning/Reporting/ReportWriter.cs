using System.Text;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Reporting;

/// <summary>
/// Writes a report folder: the JSON, the PNG charts and the Markdown that embeds them. The charts live here rather
/// than in <see cref="PruningReport"/> so the report records stay plain data with no drawing code.
/// </summary>
public static class ReportWriter
{
    /// <summary>File name of the accuracy-vs-sparsity chart.</summary>
    public const string AccuracyVsSparsityFile = "accuracy-vs-sparsity.png";

    /// <summary>File name of the epochs-per-round chart.</summary>
    public const string EpochsPerRoundFile = "epochs-per-round.png";

    /// <summary>File name of the flow-distance chart.</summary>
    public const string FlowDistanceFile = "flow-distance.png";

    /// <summary>File name of the comparison's accuracy-vs-epochs chart.</summary>
    public const string AccuracyVsEpochsFile = "accuracy-vs-epochs.png";

    /// <summary>The comparison's test metric per round, one line per method.</summary>
    public const string MetricPerRoundFile = "metric-per-round.png";

    /// <summary>The comparison's retraining epochs per round, one line per method.</summary>
    public const string RetrainingPerRoundFile = "retraining-per-round.png";

    /// <summary>The comparison's remaining weights per round, one line per method.</summary>
    public const string RemainingWeightsPerRoundFile = "remaining-weights-per-round.png";

    /// <summary>Every file <see cref="Save(PruningReport, string, double?)"/> may write (charts without data are left out).</summary>
    public static IReadOnlyList<string> ReportFiles { get; } = new[] { "report.json", "report.md", AccuracyVsSparsityFile, EpochsPerRoundFile, FlowDistanceFile };

    /// <summary>Every file <see cref="Save(MethodComparison, string)"/> may write (charts without data are left out).</summary>
    public static IReadOnlyList<string> ComparisonFiles { get; } = new[]
    {
        "bench.json", "bench.md", AccuracyVsEpochsFile, MetricPerRoundFile, RetrainingPerRoundFile, RemainingWeightsPerRoundFile,
    };

    /// <summary>
    /// Writes <c>report.json</c>, the charts that have data (see <see cref="ReportCharts"/>) and <c>report.md</c>
    /// embedding them into <paramref name="directory"/>, each file atomically. A chart with no data is not written,
    /// and a stale one from an earlier run in the same folder is removed so report.md never links to old data.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="directory">The folder, created if needed.</param>
    /// <param name="epsilon">The ICP threshold to draw on the flow-distance chart, if known.</param>
    /// <returns>The chart files written, as full paths.</returns>
    public static IReadOnlyList<string> Save(PruningReport report, string directory, double? epsilon = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "report.json"), report.ToJson());
        var charts = new (string File, string Title, byte[]? Png)[]
        {
            (AccuracyVsSparsityFile, "Accuracy vs sparsity", ReportCharts.AccuracyVsSparsity(report)),
            (EpochsPerRoundFile, "Retraining epochs per round", ReportCharts.EpochsPerRound(report)),
            (FlowDistanceFile, "Flow distance per epoch", ReportCharts.FlowDistance(report, epsilon)),
        };
        var written = WriteCharts(directory, charts);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), report.ToMarkdown() + Embeds(charts));
        return written;
    }

    /// <summary>
    /// Writes <c>bench.json</c>, the accuracy-vs-epochs chart and <c>bench.md</c> embedding it into
    /// <paramref name="directory"/>, each file atomically.
    /// </summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="directory">The folder, created if needed.</param>
    /// <returns>The chart files written, as full paths.</returns>
    public static IReadOnlyList<string> Save(MethodComparison comparison, string directory)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "bench.json"), comparison.ToJson());
        var charts = new (string File, string Title, byte[]? Png)[]
        {
            (AccuracyVsEpochsFile, "Test accuracy vs retraining epochs", ReportCharts.AccuracyVsEpochs(comparison)),
            (MetricPerRoundFile, "Test metric per round", ReportCharts.MetricPerRound(comparison)),
            (RetrainingPerRoundFile, "Retraining epochs per round", ReportCharts.RetrainingPerRound(comparison)),
            (RemainingWeightsPerRoundFile, "Remaining weights per round", ReportCharts.RemainingWeightsPerRound(comparison)),
        };
        var written = WriteCharts(directory, charts);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "bench.md"), comparison.ToMarkdown() + Embeds(charts));
        return written;
    }

    private static List<string> WriteCharts(string directory, IEnumerable<(string File, string Title, byte[]? Png)> charts)
    {
        var written = new List<string>();
        foreach (var (file, _, png) in charts)
        {
            string path = Path.Combine(directory, file);
            if (png is null)
            {
                File.Delete(path); // no-op when absent
                continue;
            }

            IO.AtomicFile.WriteAllBytes(path, png);
            written.Add(path);
        }

        return written;
    }

    private static string Embeds(IEnumerable<(string File, string Title, byte[]? Png)> charts)
    {
        var md = new StringBuilder();
        foreach (var (file, title, png) in charts)
        {
            if (png is not null)
            {
                md.AppendLine();
                md.AppendLine("![" + title + "](" + file + ")");
            }
        }

        return md.Length == 0 ? "" : Environment.NewLine + "## Charts" + Environment.NewLine + md;
    }
}

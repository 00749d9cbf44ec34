using System.Globalization;
using System.Text;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Deployment figures of an ONNX model measured with ONNX Runtime, and, when a baseline is given (the dense
/// counterpart of a pruned model), the baseline's figures measured in the same way with latencies interleaved run by
/// run, and the ratios. Made by <c>Onnx.OnnxModelMeasurement</c>; in <c>report.json</c> as <c>deployment</c>.
/// </summary>
public sealed record DeploymentMeasurement
{
    /// <summary>The runtime that ran the models, e.g. "ONNX Runtime 1.31.1 (CPU)".</summary>
    public string Runtime { get; init; } = "";

    /// <summary>ONNX Runtime intra-op threads per session; 0 for its default (one per physical core).</summary>
    public int Threads { get; init; }

    /// <summary>How <see cref="DeploymentFigures.PeakMemoryBytes"/> was measured, or why it was not.</summary>
    public string MemoryMethod { get; init; } = "";

    /// <summary>The measured model.</summary>
    public DeploymentFigures Model { get; init; } = new();

    /// <summary>The baseline (dense counterpart), when one was given.</summary>
    public DeploymentFigures? Baseline { get; init; }

    /// <summary>Model against baseline latency per batch size, from interleaved runs; empty without a baseline.</summary>
    public IReadOnlyList<LatencyRatio> LatencyRatios { get; init; } = Array.Empty<LatencyRatio>();

    /// <summary>What could not be measured and why (e.g. a batch size a model's fixed input shape does not allow).</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    /// <summary>Model file bytes / baseline file bytes.</summary>
    public double? FileBytesRatio => Ratio(Model.FileBytes, Baseline?.FileBytes);

    /// <summary>Model MACs / baseline MACs (what a dense kernel executes).</summary>
    public double? MacsRatio => Ratio(Model.Macs, Baseline?.Macs);

    /// <summary>Model effective MACs / baseline effective MACs (non-zero weights only).</summary>
    public double? EffectiveMacsRatio => Ratio(Model.EffectiveMacs, Baseline?.EffectiveMacs);

    /// <summary>Model peak memory / baseline peak memory.</summary>
    public double? PeakMemoryRatio => Ratio(Model.PeakMemoryBytes, Baseline?.PeakMemoryBytes);

    /// <summary>
    /// The figures side by side, one row per figure: a header row, then file bytes, non-zero weights, MACs, effective
    /// MACs, peak memory and the median latency [quartiles] per batch size; columns model, baseline and ratio (the
    /// latency ratio is the median [quartiles] of the interleaved pairs), or model alone without a baseline.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> SummaryTable()
    {
        var c = CultureInfo.InvariantCulture;
        var b = Baseline;
        var rows = new List<IReadOnlyList<string>>();
        void Row(string figure, string model, string? baseline, string? ratio) =>
            rows.Add(b is null ? new[] { figure, model } : new[] { figure, model, baseline ?? "–", ratio ?? "–" });
        string Number(long? value) => value is { } v ? v.ToString("N0", c) : "–";
        string Times(double? value) => value is { } v ? v.ToString("F3", c) : "–";
        string Megabytes(long? value) => value is { } v ? (v / 1048576.0).ToString("F1", c) + " MB" : "–";

        Row("figure", Model.Name, b?.Name, "ratio");
        Row("file bytes", Number(Model.FileBytes), Number(b?.FileBytes), Times(FileBytesRatio));
        Row("Linear/Conv weights non-zero", $"{Number(Model.NonZeroWeights)} of {Number(Model.Weights)}",
            b is null ? null : $"{Number(b.NonZeroWeights)} of {Number(b.Weights)}",
            b is { NonZeroWeights: > 0 } ? Times((double)Model.NonZeroWeights / b.NonZeroWeights) : null);
        Row(string.Create(c, $"MACs per run at batch {Model.ShapeBatch}"), Number(Model.Macs), Number(b?.Macs), Times(MacsRatio));
        Row("MACs with a non-zero weight", Number(Model.EffectiveMacs), Number(b?.EffectiveMacs), Times(EffectiveMacsRatio));
        Row("session peak memory", Megabytes(Model.PeakMemoryBytes), b is null ? null : Megabytes(b.PeakMemoryBytes), Times(PeakMemoryRatio));
        foreach (var latency in Model.Latency)
        {
            var other = b?.Latency.FirstOrDefault(l => l.Batch == latency.Batch);
            var ratio = LatencyRatios.FirstOrDefault(r => r.Batch == latency.Batch);
            Row(string.Create(c, $"latency at batch {latency.Batch}, ms"), Spread(latency.MedianMs, latency.P25Ms, latency.P75Ms),
                other is null ? null : Spread(other.MedianMs, other.P25Ms, other.P75Ms),
                ratio is null ? null : Spread(ratio.Median, ratio.P25, ratio.P75));
        }

        return rows;
    }

    /// <summary>The <see cref="SummaryTable"/> as a Markdown table, then the notes.</summary>
    public string ToMarkdown()
    {
        var table = SummaryTable();
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", table[0]) + " |");
        md.AppendLine("|---" + string.Concat(Enumerable.Repeat("|---:", table[0].Count - 1)) + "|");
        foreach (var row in table.Skip(1))
        {
            md.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        md.AppendLine();
        md.AppendLine($"{Runtime}, {(Threads > 0 ? $"{Threads} intra-op threads" : "default threads")}; latency: median [25th–75th percentile] of timed runs" +
            (Baseline is null ? "." : ", the ratio from runs interleaved with the baseline."));
        foreach (var note in Notes)
        {
            md.AppendLine();
            md.AppendLine($"Note: {note}.");
        }

        return md.ToString();
    }

    private static string Spread(double median, double p25, double p75)
    {
        // Three significant digits whatever the magnitude (microsecond runs and second-long ones alike).
        static string F(double v) => v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : v >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);
        return $"{F(median)} [{F(p25)}–{F(p75)}]";
    }

    private static double? Ratio(long? model, long? baseline) => model is { } m && baseline is { } b && b > 0 ? (double)m / b : null;
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Everything a pruning run measured: the dense reference, one row per round, the final network, and the cost
/// (epochs, wall time). Serialises to the <c>report.json</c> contract and renders as Markdown.
/// </summary>
public sealed record PruningReport
{
    private static readonly JsonSerializerOptions Json = ReportJson.Options;

    /// <summary>The method, e.g. "lth", "imp", "icp-if", or "dense" when no round ran.</summary>
    public string Method { get; init; } = "dense";

    /// <summary>What a pruning step removed and how it ranked it (<see cref="PruningCriterion.Name"/>): <c>magnitude</c>
    /// (single weights), <c>channel-l1</c> or <c>channel-l2</c> (whole channels and neurons).</summary>
    public string Criterion { get; init; } = "magnitude";

    /// <summary>The architecture's name (as accepted by <c>--arch</c>).</summary>
    public string Architecture { get; init; } = "";

    /// <summary>A description of the data the run used.</summary>
    public string Data { get; init; } = "";

    /// <summary>The run's seed.</summary>
    public long Seed { get; init; }

    /// <summary>The task: <c>multiclass</c>, <c>binary</c> or <c>regression</c>.</summary>
    public string Task { get; init; } = "multiclass";

    /// <summary>The name of every <c>valMetric</c>/<c>testMetric</c> of the report: <c>accuracy</c> or <c>r2</c>.</summary>
    public string Metric { get; init; } = "accuracy";

    /// <summary>The stopping policy and its threshold.</summary>
    public StoppingInfo? Stopping { get; init; }

    /// <summary>The dense reference network's figures.</summary>
    public DenseResult? Dense { get; init; }

    /// <summary>One entry per completed pruning round, in order.</summary>
    public IReadOnlyList<RoundResult> Rounds { get; init; } = Array.Empty<RoundResult>();

    /// <summary>The figures of the network the run ended with.</summary>
    public FinalResult? Final { get; init; }

    /// <summary>All training, in epochs: dense pre-training, every round's retraining and any final fine-tune.</summary>
    public double TotalEpochs { get; init; }

    /// <summary>All rows trained on: dense pre-training, every round's retraining and any final fine-tune (a row seen
    /// twice counts twice). The cost measure that compares methods whose rounds stop inside epochs.</summary>
    public long TotalSamples { get; init; }

    /// <summary>Mean training loss of each final fine-tuning epoch (empty without fine-tuning).</summary>
    public IReadOnlyList<double> FineTuneLosses { get; init; } = Array.Empty<double>();

    /// <summary>Wall time of the whole run.</summary>
    public double TotalWallSeconds { get; init; }

    /// <summary>Wall time spent computing flow metrics over the whole run.</summary>
    public double TotalFlowSeconds { get; init; }

    /// <summary>Things a user should know that did not stop the run (e.g. a layer that could not be pruned further, a
    /// training loss that exploded); empty when there were none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

    /// <summary>The exported ONNX model, when one was written.</summary>
    public OnnxExportInfo? Onnx { get; init; }

    /// <summary>What the exported model costs where it is deployed, measured with ONNX Runtime against its dense
    /// counterpart: latency, session memory, MACs, file bytes (see <see cref="DeploymentMeasurement"/>); null when not
    /// measured.</summary>
    public DeploymentMeasurement? Deployment { get; init; }

    /// <summary>Serialises to indented JSON with camelCase names (the <c>report.json</c> contract).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a pruning report.</exception>
    public static PruningReport FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PruningReport>(json, Json) ?? throw new InvalidDataException("The report JSON is empty ('null').");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The text is not a pruning report: {e.Message}", e);
        }
    }

    /// <summary>Renders the report as Markdown: a summary and a table with one row per round.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Pruning report: {Method} on {Architecture}");
        md.AppendLine();
        md.AppendLine(c, $"- Data: {Data}");
        md.AppendLine(c, $"- Seed: {Seed}");
        md.AppendLine(c, $"- Task: {Task} (metric: {Metric})");
        md.AppendLine(c, $"- Criterion: {Criterion}");
        if (Stopping is { } stopping)
        {
            md.AppendLine(c, $"- Stopping: {stopping.Name}");
        }

        if (Dense is { } d)
        {
            md.AppendLine(c, $"- Dense: validation {FormatMetric(d.ValMetric)}, test {FormatMetric(d.TestMetric)} after {d.Epochs} epochs ({d.WallSeconds:F1} s)");
        }

        if (Final is { } f)
        {
            md.AppendLine(c, $"- Final: sparsity {f.Sparsity:P1}, validation {FormatMetric(f.ValMetric)}, test {FormatMetric(f.TestMetric)}");
        }

        md.AppendLine(c, $"- Cost: {TotalEpochs:0.##} training epochs ({TotalSamples:N0} rows), {TotalWallSeconds:F1} s wall ({TotalFlowSeconds:F1} s computing flows)");
        foreach (var warning in Warnings)
        {
            md.AppendLine(c, $"- **Warning:** {warning}");
        }

        if (Onnx is { } o)
        {
            md.AppendLine(c, $"- ONNX: `{System.IO.Path.GetFileName(o.Path)}`, {o.Bytes:N0} bytes, {o.Storage} storage");
        }

        if (Rounds.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(c, $"| round | sparsity | epochs | stop reason | val {Metric} | test {Metric} | flow distance | wall s | flow s |");
            md.AppendLine("|---:|---:|---:|---|---:|---:|---:|---:|---:|");
            foreach (var r in Rounds)
            {
                string flow = r.FlowDistance is { } fd ? fd.ToString("F4", c) : "–";
                md.AppendLine(c, $"| {r.Round} | {r.Sparsity:P1} | {r.Epochs:0.##} | {r.StopReason} | {FormatMetric(r.ValMetric)} | {FormatMetric(r.TestMetric)} | {flow} | {r.WallSeconds:F1} | {r.FlowSeconds:F2} |");
            }

            var layers = Rounds[^1].LayerSparsity;
            if (layers.Count > 0)
            {
                md.AppendLine();
                md.AppendLine("| layer | final sparsity |");
                md.AppendLine("|---|---:|");
                foreach (var (name, value) in layers)
                {
                    md.AppendLine(c, $"| {name} | {value:P1} |");
                }
            }
        }

        if (Deployment is { } deployment)
        {
            md.AppendLine();
            md.AppendLine("## Deployment");
            md.AppendLine();
            md.Append(deployment.ToMarkdown());
        }

        return md.ToString();
    }

    /// <summary>A metric value as people read it: accuracy as a percentage, R² as a number.</summary>
    public string FormatMetric(double value) =>
        Metric == "accuracy" ? value.ToString("P2", CultureInfo.InvariantCulture) : value.ToString("F4", CultureInfo.InvariantCulture);
}

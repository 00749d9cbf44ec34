using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Several pruning methods × seeds on one data set and network: every run's report, and per method the mean final
/// sparsity, test accuracy (mean ± sd), epochs, wall time and flow overhead.
/// </summary>
public sealed record MethodComparison
{
    private static readonly JsonSerializerOptions Json = ReportJson.Options;

    /// <summary>The architecture's name.</summary>
    public string Architecture { get; init; } = "";

    /// <summary>A description of the data.</summary>
    public string Data { get; init; } = "";

    /// <summary>The name of the test metric the summaries give (<c>accuracy</c>, <c>r2</c>).</summary>
    public string Metric { get; init; } = "accuracy";

    /// <summary>The seeds each method ran with.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = Array.Empty<long>();

    /// <summary>One summary per method, in the order given.</summary>
    public IReadOnlyList<MethodSummary> Methods { get; init; } = Array.Empty<MethodSummary>();

    /// <summary>Every run's report, method by method, seed by seed.</summary>
    public IReadOnlyList<PruningReport> Runs { get; init; } = Array.Empty<PruningReport>();

    /// <summary>
    /// Runs every method with every seed. <paramref name="optionsFor"/> gives the options of one (method, seed) run:
    /// it must make a new stopping policy each call (see <see cref="PruningMethods.Apply(string, IterativePrunerOptions, MethodSettings)"/>).
    /// Runs whose dense phase is the same (same seed, pre-training and training options) share it through a
    /// <see cref="WarmUpCache"/> unless their options name one: each seed's warm-up is trained once, and every run
    /// ends exactly as if it had trained its own.
    /// </summary>
    /// <param name="definition">The network.</param>
    /// <param name="data">The data, the same for every run.</param>
    /// <param name="methods">Method names, as shown in the comparison.</param>
    /// <param name="seeds">Seeds; each method runs once per seed.</param>
    /// <param name="optionsFor">Options for a (method, seed) pair.</param>
    /// <param name="progress">Receives each run's progress, tagged with its method and seed.</param>
    /// <param name="cancellationToken">Stops within one batch.</param>
    /// <param name="completeReport">Called with each run's result while its network is still alive, and the report so far;
    /// returns the report to keep (e.g. with the exported model's <see cref="PruningReport.Deployment"/> figures).</param>
    public static MethodComparison Run(INetworkSource definition, DataSplit data, IReadOnlyList<string> methods, IReadOnlyList<long> seeds,
        Func<string, long, IterativePrunerOptions> optionsFor, IProgress<(string Method, long Seed, PruningProgress Progress)>? progress = null,
        CancellationToken cancellationToken = default, Func<PruningResult, PruningReport, PruningReport>? completeReport = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(optionsFor);
        if (methods.Count == 0 || seeds.Count == 0)
        {
            throw new ArgumentException("A comparison needs at least one method and one seed.");
        }

        // Options first, so a bad method name fails before any training.
        var plan = methods.SelectMany(m => seeds.Select(s => (Method: m, Seed: s, Options: optionsFor(m, s)))).ToList();
        var runs = new List<PruningReport>();
        using var warmUps = new WarmUpCache();
        foreach (var (method, seed, options) in plan)
        {
            var forward = progress is null ? null : new Relay(p => progress.Report((method, seed, p)));
            var shared = options with { WarmUpCache = options.WarmUpCache ?? warmUps };
            using var result = new IterativePruner(shared).Run(definition, data, forward, cancellationToken);
            var report = result.Report with { Method = method };
            runs.Add(completeReport is null ? report : completeReport(result, report));
        }

        return new MethodComparison
        {
            Architecture = definition.Name,
            Data = data.Train.Name,
            Metric = runs[0].Metric,
            Seeds = seeds.ToList(),
            Runs = runs,
            Methods = methods.Select(m => Summarise(m, runs.Where(r => r.Method == m).ToList())).ToList(),
        };
    }

    private static MethodSummary Summarise(string method, List<PruningReport> runs)
    {
        double Mean(Func<PruningReport, double> f) => runs.Average(f);
        var test = runs.Select(r => r.Final!.TestMetric).ToList();
        double mean = test.Average();
        double sd = test.Count > 1 ? Math.Sqrt(test.Sum(t => (t - mean) * (t - mean)) / (test.Count - 1)) : 0;
        return new MethodSummary
        {
            Method = method,
            Runs = runs.Count,
            Sparsity = Mean(r => r.Final!.Sparsity),
            TestMetric = mean,
            TestMetricSd = sd,
            DenseTestMetric = Mean(r => r.Dense!.TestMetric),
            RetrainingEpochs = Mean(r => r.TotalEpochs - r.Dense!.Epochs),
            RetrainingSamples = Mean(r => r.TotalSamples - r.Dense!.Samples),
            TotalEpochs = Mean(r => r.TotalEpochs),
            WallSeconds = Mean(r => r.TotalWallSeconds),
            FlowSeconds = Mean(r => r.TotalFlowSeconds),
        };
    }

    /// <summary>Indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A Markdown table, one row per method, then one row per run.</summary>
    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Method comparison: {Architecture} on {Data}");
        md.AppendLine();
        md.AppendLine(c, $"Seeds: {string.Join(", ", Seeds)}.");
        md.AppendLine();
        bool accuracy = Metric == "accuracy";
        string Value(double v) => accuracy ? (v * 100).ToString("F2", c) : v.ToString("F4", c);
        string unit = accuracy ? " %" : "";
        md.AppendLine(c, $"| method | runs | final sparsity | test {Metric} (mean ± sd) | dense test {Metric} | retraining epochs | retraining rows | total epochs | wall s | flow s | flow overhead |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in Methods)
        {
            md.AppendLine(c, $"| {m.Method} | {m.Runs} | {m.Sparsity:P2} | {Value(m.TestMetric)} ± {Value(m.TestMetricSd)}{unit} | {Value(m.DenseTestMetric)}{unit} | {m.RetrainingEpochs:F2} | {m.RetrainingSamples:N0} | {m.TotalEpochs:F1} | {m.WallSeconds:F1} | {m.FlowSeconds:F2} | {m.FlowOverhead:P1} |");
        }

        md.AppendLine();
        md.AppendLine(c, $"| method | seed | final sparsity | test {Metric} | retraining epochs | epochs per round | stop reasons |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var r in Runs)
        {
            var reasons = r.Rounds.GroupBy(x => x.StopReason).Select(g => $"{g.Key} ×{g.Count()}");
            md.AppendLine(c, $"| {r.Method} | {r.Seed} | {r.Final!.Sparsity:P2} | {Value(r.Final.TestMetric)}{unit} | {r.TotalEpochs - r.Dense!.Epochs:0.##} | {string.Join(" ", r.Rounds.Select(x => x.Epochs.ToString("0.##", c)))} | {string.Join(", ", reasons)} |");
        }

        AppendDeployment(md);
        return md.ToString();
    }

    /// <summary>Each run's exported model against its dense counterpart, where the runs carry the figures.</summary>
    private void AppendDeployment(StringBuilder md)
    {
        var c = CultureInfo.InvariantCulture;
        var measured = Runs.Where(r => r.Deployment is not null).ToList();
        if (measured.Count == 0)
        {
            return;
        }

        var batches = measured.SelectMany(r => r.Deployment!.LatencyRatios.Select(l => l.Batch)).Distinct().Order().ToList();
        static string Times(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) + "x" : "–";
        md.AppendLine();
        md.AppendLine(c, $"Deployment against the dense counterpart ({measured[0].Deployment!.Runtime}; latency: median of runs interleaved with the dense model):");
        md.AppendLine();
        md.AppendLine("| method | seed | file | MACs | MACs with a non-zero weight | session memory | " + string.Join(" | ", batches.Select(b => $"latency at batch {b}")) + " |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|" + string.Concat(batches.Select(_ => "---:|")));
        foreach (var r in measured)
        {
            var d = r.Deployment!;
            var latency = batches.Select(b => Times(d.LatencyRatios.FirstOrDefault(l => l.Batch == b)?.Median));
            md.AppendLine(c, $"| {r.Method} | {r.Seed} | {Times(d.FileBytesRatio)} | {Times(d.MacsRatio)} | {Times(d.EffectiveMacsRatio)} | {Times(d.PeakMemoryRatio)} | {string.Join(" | ", latency)} |");
        }
    }

    private sealed class Relay(Action<PruningProgress> report) : IProgress<PruningProgress>
    {
        public void Report(PruningProgress value) => report(value);
    }
}

using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// ICP against its like-for-like baseline: the same rate, scope, dense rewinding, check interval and epoch limit, only
/// the stopping rule differs. IMP-AR (accuracy recovery) is the baseline of the fixed-rate forms; SAP-AR (the PQ-index
/// rate with accuracy recovery) that of the PQ-index forms. Also the epsilon ablation and the check-interval study.
/// </summary>
internal static class IcpStudyBenchmark
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The like-for-like table: methods × seeds, cost in retraining rows, accuracy, flow decisions.</summary>
    public static string LikeForLike(string spec, string arch, string optimizer, int rounds, int pretrain, double maxEpochs, double checkEvery, int seeds,
        IReadOnlyList<string>? only = null, int? probeSize = null, GradientFlowStatistic? gradient = null)
    {
        var (data, definition) = Load(spec, arch);
        var methods = only ?? new[] { "imp-ar", "icp-if", "icp-gf", "sap-ar", "icp-if-sap", "icp-gf-sap" };
        var comparison = MethodComparison.Run(definition, data, methods, Seeds(seeds),
            (m, s) => Options(m, s, arch, optimizer, rounds, pretrain, maxEpochs, checkEvery, epsilon: null, probeSize, gradient), Progress(arch));
        var md = new StringBuilder();
        md.AppendLine(C, $"`{arch}` on `{BenchmarkData.Display(spec)}` ({data.Train.Count}/{data.Validation.Count}/{data.Test.Count}), {Describe(optimizer, arch)}, {rounds} rounds, dense rewinding, {pretrain} dense epochs, at most {maxEpochs} epochs a round, a decision every {checkEvery} epoch, flows on {probeSize ?? IcpStoppingPolicy.DefaultProbeSize} probe rows, gradient flow {GradientName(gradient)}; seeds {string.Join(", ", Seeds(seeds))}.");
        md.AppendLine();
        md.AppendLine("| method | baseline | final sparsity | test acc (mean ± sd) | vs baseline (pt) | retraining rows | vs baseline | rounds stopped on the flow | checks that found the flow inconsistent | flow share of wall |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in comparison.Methods)
        {
            string baseline = m.Method.EndsWith("-sap", StringComparison.Ordinal) || m.Method == "sap-ar" ? "sap-ar" : "imp-ar";
            var b = comparison.Methods.FirstOrDefault(x => x.Method == baseline) ?? m;
            var runs = comparison.Runs.Where(r => r.Method == m.Method).ToList();
            int flowStops = runs.Sum(r => r.Rounds.Count(x => x.StopReason == StopReasons.FlowConsistent));
            int roundsTotal = runs.Sum(r => r.Rounds.Count);
            var epsilon = runs[0].Stopping?.Epsilon;
            int inconsistent = epsilon is { } e ? runs.Sum(r => r.Rounds.Sum(x => x.Checks.Count(c => c.FlowDistance >= e))) : 0;
            int measured = runs.Sum(r => r.Rounds.Sum(x => x.Checks.Count(c => c.FlowDistance.HasValue)));
            md.AppendLine(C, $"| {m.Method} | {baseline} | {m.Sparsity:P1} | {m.TestMetric * 100:F2} ± {m.TestMetricSd * 100:F2} % | {(m.TestMetric - b.TestMetric) * 100:+0.00;-0.00} | {m.RetrainingSamples:N0} | {m.RetrainingSamples / b.RetrainingSamples:F2}× | {(m.Method.StartsWith("icp", StringComparison.Ordinal) ? $"{flowStops}/{roundsTotal}" : "–")} | {(measured > 0 ? $"{inconsistent}/{measured}" : "–")} | {m.FlowOverhead:P1} |");
        }

        md.AppendLine();
        md.AppendLine("Retraining epochs per round and stop reasons, per run:");
        md.AppendLine();
        md.AppendLine("| method | seed | epochs per round | stop reasons | test acc |");
        md.AppendLine("|---|---:|---|---|---:|");
        foreach (var r in comparison.Runs)
        {
            var reasons = r.Rounds.GroupBy(x => x.StopReason).Select(g => $"{g.Key} ×{g.Count()}");
            md.AppendLine(C, $"| {r.Method} | {r.Seed} | {string.Join(" ", r.Rounds.Select(x => x.Epochs.ToString("0.##", C)))} | {string.Join(", ", reasons)} | {r.Final!.TestMetric:P2} |");
        }

        return md.ToString();
    }

    /// <summary>The epsilon ablation: each flow at several thresholds, one seed, against the baseline.</summary>
    public static string Ablation(string spec, string arch, string optimizer, int rounds, int pretrain, double maxEpochs, double checkEvery,
        double[] informationGrid, double[] gradientGrid, GradientFlowStatistic? gradient = null, string? split = null)
    {
        var (data, definition) = Load(spec, arch, split);
        var runs = new List<(string Label, double? Epsilon, PruningReport Report)>();
        // Every run of the grid has the same dense phase: it is trained once.
        using var warmUps = new WarmUpCache();
        void RunOne(string method, double? epsilon)
        {
            var options = Options(method, 1, arch, optimizer, rounds, pretrain, maxEpochs, checkEvery, epsilon, gradient: gradient) with { WarmUpCache = warmUps };
            using var result = new IterativePruner(options)
                .Run(definition, data, Progress(arch) is { } p ? new Relay(x => p.Report((method, 1, x))) : null);
            runs.Add((method, epsilon, result.Report));
        }

        RunOne("imp-ar", null);
        foreach (double e in informationGrid)
        {
            RunOne("icp-if", e);
        }

        foreach (double e in gradientGrid)
        {
            RunOne("icp-gf", e);
        }

        var baseline = runs[0].Report;
        double baseRows = baseline.TotalSamples - baseline.Dense!.Samples;
        var md = new StringBuilder();
        md.AppendLine(C, $"`{arch}` ({data.Train.Count}/{data.Validation.Count}/{data.Test.Count} rows), {Describe(optimizer, arch)}, {rounds} rounds of 20%, dense rewinding, {pretrain} dense epochs shared by every run, at most {maxEpochs} epochs a round, a decision every {checkEvery} epoch, gradient flow {GradientName(gradient)}, seed 1.");
        md.AppendLine();
        md.AppendLine("| method | epsilon | retraining rows | vs imp-ar | test acc | vs imp-ar (pt) | rounds stopped on the flow | checks inconsistent | epochs per round |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (label, epsilon, r) in runs)
        {
            double rows = r.TotalSamples - r.Dense!.Samples;
            int flow = r.Rounds.Count(x => x.StopReason == StopReasons.FlowConsistent);
            int inconsistent = epsilon is { } e ? r.Rounds.Sum(x => x.Checks.Count(c => c.FlowDistance >= e)) : 0;
            int measured = r.Rounds.Sum(x => x.Checks.Count(c => c.FlowDistance.HasValue));
            md.AppendLine(C, $"| {label} | {(epsilon is { } eps ? eps.ToString("0.###", C) : "–")} | {rows:N0} | {rows / baseRows:F2}× | {r.Final!.TestMetric:P2} | {(r.Final.TestMetric - baseline.Final!.TestMetric) * 100:+0.00;-0.00} | {(epsilon is null ? "–" : $"{flow}/{r.Rounds.Count}")} | {(measured > 0 ? $"{inconsistent}/{measured}" : "–")} | {string.Join(" ", r.Rounds.Select(x => x.Epochs.ToString("0.##", C)))} |");
        }

        return md.ToString();
    }

    /// <summary>Cost and flow-probe share of imp-ar and icp-if at several check intervals.</summary>
    public static string CheckInterval(string spec, string arch, int rounds, int pretrain, double maxEpochs, double[] intervals)
    {
        var (data, definition) = Load(spec, arch);
        var md = new StringBuilder();
        md.AppendLine(C, $"`{arch}`, {Describe("adam", arch)}, {rounds} rounds of 20%, dense rewinding, at most {maxEpochs} epochs a round, seed 1.");
        md.AppendLine();
        md.AppendLine("| method | check every | retraining rows | test acc | retraining wall s | flow s | flow share of wall |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (double every in intervals)
        {
            foreach (string method in new[] { "imp-ar", "icp-if", "icp-gf" })
            {
                using var result = new IterativePruner(Options(method, 1, arch, "adam", rounds, pretrain, maxEpochs, every, null)).Run(definition, data);
                var r = result.Report;
                double rows = r.TotalSamples - r.Dense!.Samples;
                double wall = r.TotalWallSeconds - r.Dense.WallSeconds;
                md.AppendLine(C, $"| {method} | {every} | {rows:N0} | {r.Final!.TestMetric:P2} | {wall:F1} | {r.TotalFlowSeconds:F2} | {r.TotalFlowSeconds / wall:P1} |");
            }
        }

        return md.ToString();
    }

    private static (DataSplit Data, NetworkDefinition Definition) Load(string spec, string arch, string? split = null)
    {
        var data = DataSource.Load(spec, new DataLoadOptions { Split = split is null ? SplitFractions.Default : SplitFractions.Parse(split) });
        return (data, NetworkArchitecture.Parse(arch).Define(data.Train));
    }

    private static IReadOnlyList<long> Seeds(int count) => Enumerable.Range(1, count).Select(s => (long)s).ToList();

    private static string Describe(string optimizer, string arch) =>
        optimizer == "sgd" ? "SGD lr 0.01 without momentum, batch 64" : $"Adam {LearningRate(arch).ToString(C)}, batch 60";

    private static string GradientName(GradientFlowStatistic? gradient) =>
        (gradient ?? MethodSettings.DefaultGradientStatistic) == GradientFlowStatistic.MeanOverSurvivingWeights ? "over surviving weights" : "over all weights";

    private static double LearningRate(string arch) => arch == "lenet300" ? 1.2e-3 : 1e-3;

    /// <summary>One run's options: everything but the stopping rule (and the PQ-index rate of the -sap forms) is shared.</summary>
    private static IterativePrunerOptions Options(string method, long seed, string arch, string optimizer, int rounds, int pretrain, double maxEpochs,
        double checkEvery, double? epsilon, int? probeSize = null, GradientFlowStatistic? gradient = null)
    {
        var training = optimizer == "sgd"
            ? new TrainingOptions { Optimizer = OptimizerOptions.Sgd(0.01, momentum: 0), BatchSize = 64 }
            : new TrainingOptions { Optimizer = OptimizerOptions.Adam(LearningRate(arch)), BatchSize = 60 };
        var baseOptions = new IterativePrunerOptions { Rounds = rounds, PretrainEpochs = pretrain, Training = training, Seed = seed };
        var settings = new MethodSettings { EpochsPerRound = maxEpochs, Rate = 0.2, Epsilon = epsilon, CheckEvery = checkEvery, ProbeSize = probeSize,
            GradientStatistic = gradient ?? MethodSettings.DefaultGradientStatistic };
        if (method == "sap-ar")
        {
            // SAP's PQ-index rate over all layers, stopped by accuracy recovery: the baseline the PQ-index ICP forms differ from in the rule alone.
            return baseOptions with
            {
                Method = method,
                Rate = settings.PqIndexRate,
                Scope = PruningScope.Global,
                Rewind = RewindPoint.Dense,
                Stopping = new AccuracyRecoveryPolicy(maxEpochs) { CheckEvery = checkEvery },
            };
        }

        return PruningMethods.Apply(method, baseOptions, settings);
    }

    private static IProgress<(string Method, long Seed, PruningProgress Progress)>? Progress(string arch) =>
        new Relay<(string Method, long Seed, PruningProgress Progress)>(v =>
        {
            if (v.Progress.IsCheck && v.Progress.Phase == "round")
            {
                Console.Error.WriteLine(string.Create(C, $"[{arch} {v.Method} {v.Seed}] round {v.Progress.Round} at {v.Progress.Epochs:0.##}: val {v.Progress.ValMetric:P2} flow {v.Progress.FlowDistance:F4}"));
            }
        });

    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class Relay(Action<PruningProgress> report) : IProgress<PruningProgress>
    {
        public void Report(PruningProgress value) => report(value);
    }
}

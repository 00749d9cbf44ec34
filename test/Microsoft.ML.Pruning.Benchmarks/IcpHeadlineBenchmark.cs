using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// The ICP paper's headline on our data: LTH with a fixed schedule, IMP-AR, ICP-IF and ICP-GF, several seeds each,
/// then an epsilon sweep of ICP-IF showing the accuracy / epochs trade-off.
/// </summary>
internal static class IcpHeadlineBenchmark
{
    public static string Run(string spec, string arch, int rounds, int epochs, int seeds, double[] sweep, double lr)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        var definition = NetworkArchitecture.Parse(arch).Define(data.Train);
        IterativePrunerOptions Options(string method, long seed, double? epsilon = null) => PruningMethods.Apply(method, new IterativePrunerOptions
        {
            Rounds = rounds,
            PretrainEpochs = epochs,
            Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(lr), BatchSize = 60 },
            Seed = seed,
        }, epochs, 0.2, epsilon);

        var methods = new[] { "lth", "imp-ar", "icp-if", "icp-gf" };
        var seedList = Enumerable.Range(1, seeds).Select(s => (long)s).ToList();
        var comparison = MethodComparison.Run(definition, data, methods, seedList, (m, s) => Options(m, s));
        var md = new StringBuilder();
        md.AppendLine(c, $"Data `{BenchmarkData.Display(spec)}` (7000/1000/2000), network `{arch}`, {rounds} rounds of 20% (layerwise), {epochs} dense epochs, Adam {lr}, batch 60, seeds {string.Join(", ", seedList)}. LTH retrains {epochs} epochs per round; IMP-AR and ICP stop on their own, at most {epochs}.");
        md.AppendLine();
        md.AppendLine("| method | final sparsity | test acc (mean ± sd) | retraining epochs | vs LTH | wall s | flow s | flow share of wall |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        double lthEpochs = comparison.Methods.First(m => m.Method == "lth").RetrainingEpochs;
        foreach (var m in comparison.Methods)
        {
            md.AppendLine(c, $"| {m.Method} | {m.Sparsity:P2} | {m.TestMetric * 100:F2} ± {m.TestMetricSd * 100:F2} % | {m.RetrainingEpochs:F1} | {m.RetrainingEpochs / lthEpochs:F2}× | {m.WallSeconds:F1} | {m.FlowSeconds:F2} | {m.FlowOverhead:P2} |");
        }

        md.AppendLine();
        md.AppendLine("Epochs per round and stop reasons, per run:");
        md.AppendLine();
        md.AppendLine("| method | seed | test acc | epochs per round | stop reasons |");
        md.AppendLine("|---|---:|---:|---|---|");
        foreach (var r in comparison.Runs)
        {
            var reasons = r.Rounds.GroupBy(x => x.StopReason).Select(g => $"{g.Key} ×{g.Count()}");
            md.AppendLine(c, $"| {r.Method} | {r.Seed} | {r.Final!.TestAccuracy:P2} | {string.Join(" ", r.Rounds.Select(x => x.Epochs))} | {string.Join(", ", reasons)} |");
        }

        if (sweep.Length > 0)
        {
            md.AppendLine();
            md.AppendLine(c, $"Epsilon sweep of ICP-IF (seed 1; the accuracy cap on, as in the method):");
            md.AppendLine();
            md.AppendLine("| epsilon | final sparsity | test acc | retraining epochs | flow-consistent / accuracy-recovered / max-epochs rounds |");
            md.AppendLine("|---:|---:|---:|---:|---|");
            foreach (double eps in sweep)
            {
                using var result = new IterativePruner(Options("icp-if", 1, eps)).Run(definition, data);
                var r = result.Report;
                int Count(string reason) => r.Rounds.Count(x => x.StopReason == reason);
                md.AppendLine(c, $"| {eps} | {r.Final!.Sparsity:P2} | {r.Final.TestAccuracy:P2} | {r.TotalEpochs - r.Dense!.Epochs} | {Count("flow-consistent")} / {Count("accuracy-recovered")} / {Count("max-epochs")} |");
            }
        }

        return md.ToString();
    }
}

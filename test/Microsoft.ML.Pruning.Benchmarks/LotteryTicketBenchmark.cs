using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>Lottery-ticket IMP on MNIST-10k: LeNet-300-100 for 10 rounds and LeNet-5 for 5 rounds of 20%.</summary>
internal static class LotteryTicketBenchmark
{
    public static string Run(string spec, int epochs)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        var md = new StringBuilder();
        md.AppendLine(c, $"Data: `{BenchmarkData.Display(spec)}` split 0.7/0.1/0.2 by index. Method `lth`: rate 20% of surviving weights per round in every layer, rewind to the initial weights, {epochs} dense epochs and {epochs} epochs per round, Adam, batch 60, seed 1.");
        foreach (var (arch, rounds, lr) in new[] { ("lenet300", 10, 1.2e-3), ("lenet5", 5, 1e-3) })
        {
            var definition = NetworkArchitecture.Parse(arch).Define(data.Train);
            var options = PruningMethods.Apply("lth", new IterativePrunerOptions
            {
                Rounds = rounds,
                PretrainEpochs = epochs,
                Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(lr), BatchSize = 60 },
                Seed = 1,
            }, epochs, 0.2);
            using var result = new IterativePruner(options).Run(definition, data);
            var r = result.Report;
            md.AppendLine();
            md.AppendLine(c, $"### {arch}, {rounds} rounds");
            md.AppendLine();
            md.AppendLine(c, $"Dense: test {r.Dense!.TestAccuracy:P2} (validation {r.Dense.ValAccuracy:P2}), {r.Dense.WallSeconds:F1} s for {r.Dense.Epochs} epochs.");
            md.AppendLine();
            md.AppendLine("| round | sparsity | expected 1-0.8^k | val acc | test acc | epochs | wall s |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in r.Rounds)
            {
                md.AppendLine(c, $"| {row.Round} | {row.Sparsity:P2} | {1 - Math.Pow(0.8, row.Round):P2} | {row.ValAccuracy:P2} | {row.TestAccuracy:P2} | {row.Epochs} | {row.WallSeconds:F1} |");
            }

            md.AppendLine();
            double delta = (r.Final!.TestMetric - r.Dense.TestMetric) * 100;
            md.AppendLine(c, $"Final: sparsity {r.Final.Sparsity:P2}, test {r.Final.TestAccuracy:P2} ({delta:+0.00;-0.00} points vs dense); {r.TotalEpochs} epochs, {r.TotalWallSeconds:F1} s in all.");
        }

        return md.ToString();
    }
}

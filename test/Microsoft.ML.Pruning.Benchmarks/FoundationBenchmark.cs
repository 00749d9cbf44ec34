using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>The foundation figures, in one run: dense LeNet-300-100 and LeNet-5 on MNIST-10k, trainer overhead,
/// determinism, native memory over 50 epochs, synthetic data generation.</summary>
internal static class FoundationBenchmark
{
    public static string Run(string spec, int epochs)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        var md = new StringBuilder();
        md.AppendLine(c, $"Data: `{BenchmarkData.Display(spec)}` split 0.7/0.1/0.2 by index ({data.Train.Count}/{data.Validation.Count}/{data.Test.Count} rows). Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}.");
        md.AppendLine();
        md.AppendLine("### Dense training");
        md.AppendLine();
        md.AppendLine("| network | optimizer | epochs | best test acc (epoch) | final test acc | s / epoch |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        var runs = new[]
        {
            ("lenet300", new TrainingOptions { Optimizer = OptimizerOptions.Adam(1.2e-3), BatchSize = 60 }),
            ("lenet5", new TrainingOptions { Optimizer = OptimizerOptions.Adam(1e-3), BatchSize = 60 }),
        };
        foreach (var (arch, options) in runs)
        {
            var r = DenseTrainingBenchmark.Train(data, arch, epochs, 1, options);
            md.AppendLine(c, $"| {arch} | {options.Optimizer} | {epochs} | {r.BestTest:P2} ({r.BestEpoch}) | {r.FinalTest:P2} | {r.SecondsPerEpoch:F2} |");
            Console.Error.WriteLine($"{arch}: test by epoch {string.Join(" ", r.TestByEpoch.Select(a => a.ToString("P1", c)))}");
        }

        md.AppendLine();
        md.AppendLine("### Trainer overhead (our `Trainer` vs a minimal hand-written TorchSharp loop, interleaved, median of 3)");
        md.AppendLine();
        md.Append(TrainerOverheadBenchmark.Run(data, "lenet300", 3, 3));
        md.Append(TrainerOverheadBenchmark.Run(data, "lenet5", 2, 3).Split('\n', 3)[2]);
        md.AppendLine();
        md.AppendLine("### Determinism (two runs, same seed, 3 epochs)");
        md.AppendLine();
        md.AppendLine("| network | weights hash, run 1 | weights hash, run 2 | identical |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (arch, options) in runs)
        {
            var a = DenseTrainingBenchmark.Train(data, arch, 3, 7, options);
            var b = DenseTrainingBenchmark.Train(data, arch, 3, 7, options);
            md.AppendLine(c, $"| {arch} | `{a.WeightsHash}` | `{b.WeightsHash}` | {(a.WeightsHash == b.WeightsHash ? "yes" : "**no**")} |");
        }

        md.AppendLine();
        md.AppendLine("### Native memory across 50 epochs (LeNet-300-100, train + evaluate each epoch)");
        md.AppendLine();
        md.Append(DenseTrainingBenchmark.Memory(data, "lenet300", 50, runs[0].Item2));
        md.AppendLine();
        md.AppendLine("### Synthetic data generation (Release, all cores)");
        md.AppendLine();
        md.Append(DenseTrainingBenchmark.DataGeneration());
        return md.ToString();
    }
}

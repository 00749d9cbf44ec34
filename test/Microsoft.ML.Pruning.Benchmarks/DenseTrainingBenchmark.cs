using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>Dense training figures: accuracy per epoch, seconds per epoch, determinism, native memory over many epochs.</summary>
internal static class DenseTrainingBenchmark
{
    public sealed record DenseRun(string Arch, double BestTest, int BestEpoch, double FinalTest, double SecondsPerEpoch, IReadOnlyList<double> TestByEpoch, string WeightsHash);

    public static DenseRun Train(DataSplit data, string arch, int epochs, long seed, TrainingOptions options)
    {
        var definition = NetworkArchitecture.Parse(arch).Define(data.Train);
        TrainingSeed.Apply(seed);
        using var network = NetworkBuilder.Build(definition, seed);
        using var train = new TensorBatches(data.Train, seed);
        using var test = new TensorBatches(data.Test, seed);
        using var trainer = new Trainer(network, options);
        var accuracies = new List<double>();
        double seconds = 0;
        for (int e = 0; e < epochs; e++)
        {
            seconds += trainer.TrainEpoch(train, e).Seconds;
            accuracies.Add(trainer.Evaluate(test).Metric);
        }

        int best = accuracies.IndexOf(accuracies.Max());
        return new DenseRun(arch, accuracies[best], best + 1, accuracies[^1], seconds / epochs, accuracies, WeightsHash(network));
    }

    public static string WeightsHash(PrunableNetwork network)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in network.named_parameters())
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData(p.detach().cpu().bytes);
        }

        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }

    /// <summary>Resident memory and live TorchSharp tensors after selected epochs of a long run.</summary>
    public static string Memory(DataSplit data, string arch, int epochs, TrainingOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var definition = NetworkArchitecture.Parse(arch).Define(data.Train);
        using var network = NetworkBuilder.Build(definition, 1);
        using var train = new TensorBatches(data.Train, 1);
        using var test = new TensorBatches(data.Test, 1);
        using var trainer = new Trainer(network, options);
        var md = new StringBuilder();
        md.AppendLine("| epoch | resident memory (MiB) | live tensors |");
        md.AppendLine("|---:|---:|---:|");
        var checkpoints = new HashSet<int> { 1, 2, 5, 10, 20, 30, 40, epochs };
        for (int e = 1; e <= epochs; e++)
        {
            trainer.TrainEpoch(train, e - 1);
            trainer.Evaluate(test);
            if (checkpoints.Contains(e))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                md.AppendLine(c, $"| {e} | {ResidentMiB():F1} | {DisposeScopeManager.Statistics.ThreadTotalLiveCount} |");
            }
        }

        return md.ToString();
    }

    private static double ResidentMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    public static string DataGeneration()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("| data set | rows | seconds |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (name, generate) in new (string, Func<InMemoryDataset>)[] { ("synthetic-digits", () => SyntheticDigits.Generate(10_000, 1)), ("synthetic-shapes", () => SyntheticShapes.Generate(10_000, 1)) })
        {
            generate(); // warm-up (JIT)
            var clock = Stopwatch.StartNew();
            generate();
            md.AppendLine(c, $"| {name} | 10,000 | {clock.Elapsed.TotalSeconds:F2} |");
        }

        return md.ToString();
    }
}

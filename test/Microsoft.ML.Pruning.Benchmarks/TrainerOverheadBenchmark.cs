using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Samples per second of <see cref="Trainer"/> against a minimal hand-written TorchSharp loop on the same network,
/// data, optimizer and batch size, interleaved in one process so both see the same machine state.
/// </summary>
internal static class TrainerOverheadBenchmark
{
    public static string Run(DataSplit data, string archName, int epochs, int repeats)
    {
        var c = CultureInfo.InvariantCulture;
        var definition = NetworkArchitecture.Parse(archName).Define(data.Train);
        var options = new TrainingOptions { Optimizer = OptimizerOptions.Adam(1.2e-3), BatchSize = 60 };
        var ours = new List<double>();
        var hand = new List<double>();
        for (int rep = 0; rep < repeats; rep++)
        {
            ours.Add(TimeOurs(definition, data.Train, options, epochs));
            hand.Add(TimeHand(definition, data.Train, options, epochs));
        }

        double o = Median(ours), h = Median(hand);
        var md = new StringBuilder();
        md.AppendLine(c, $"| network | rows | batch | epochs x repeats | Trainer rows/s | hand loop rows/s | ratio |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| {archName} | {data.Train.Count} | {options.BatchSize} | {epochs} x {repeats} | {o:N0} | {h:N0} | {o / h:F3} |");
        return md.ToString();
    }

    private static double TimeOurs(NetworkDefinition definition, InMemoryDataset train, TrainingOptions options, int epochs)
    {
        using var network = NetworkBuilder.Build(definition, 1);
        using var batches = new TensorBatches(train, 1);
        using var trainer = new Trainer(network, options);
        trainer.TrainEpoch(batches, 0); // warm-up
        var clock = Stopwatch.StartNew();
        for (int e = 0; e < epochs; e++)
        {
            trainer.TrainEpoch(batches, e);
        }

        return epochs * (double)train.Count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The loop a TorchSharp user would write by hand: index_select batches, forward, loss, backward, step.</summary>
    private static double TimeHand(NetworkDefinition definition, InMemoryDataset train, TrainingOptions options, int epochs)
    {
        using var network = NetworkBuilder.Build(definition, 1);
        var (x, y) = train.ToTensors();
        using var xAll = x;
        using var yAll = y;
        using var optimizer = optim.Adam(network.parameters(), options.Optimizer.LearningRate);
        network.train();
        double seconds = 0;
        for (int e = 0; e <= epochs; e++)
        {
            var clock = Stopwatch.StartNew();
            var order = new SeededRandom(e).Permutation(train.Count);
            for (int start = 0; start < train.Count; start += options.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                int n = Math.Min(options.BatchSize, train.Count - start);
                var index = torch.tensor(order.AsSpan(start, n).ToArray().Select(i => (long)i).ToArray());
                var xb = xAll.index_select(0, index);
                var yb = yAll.index_select(0, index);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(network.forward(xb), yb);
                loss.backward();
                optimizer.step();
            }

            if (e > 0)
            {
                seconds += clock.Elapsed.TotalSeconds; // epoch 0 is the warm-up, as for the trainer
            }
        }

        return epochs * (double)train.Count / seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

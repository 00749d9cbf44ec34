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
/// Rows per second of <see cref="Trainer"/> against a minimal hand-written TorchSharp loop on the same network, data,
/// optimizer and batch size. Shared machines drift by tens of percent within a minute, so the two sides are measured in
/// many short interleaved pairs (ABBA order), each pair giving one ratio; the result is the median ratio and its spread.
/// </summary>
internal static class TrainerOverheadBenchmark
{
    public static string Run(DataSplit data, string archName, int pairs, int batchesPerSide)
    {
        var c = CultureInfo.InvariantCulture;
        var definition = NetworkArchitecture.Parse(archName).Define(data.Train);
        var options = new TrainingOptions { Optimizer = OptimizerOptions.Adam(1.2e-3), BatchSize = 60 };
        using var ours = new OursSide(definition, data.Train, options);
        using var hand = new HandSide(definition, data.Train, options);
        ours.Train(batchesPerSide); // warm-up: first calls allocate and compile kernels
        hand.Train(batchesPerSide);
        var ratios = new List<double>();
        var oursRates = new List<double>();
        var handRates = new List<double>();
        for (int pair = 0; pair < pairs; pair++)
        {
            // ABBA: alternate which side goes first, so a drift within a pair favours neither.
            double o, h;
            if (pair % 2 == 0)
            {
                o = ours.Train(batchesPerSide);
                h = hand.Train(batchesPerSide);
            }
            else
            {
                h = hand.Train(batchesPerSide);
                o = ours.Train(batchesPerSide);
            }

            oursRates.Add(o);
            handRates.Add(h);
            ratios.Add(o / h);
        }

        var md = new StringBuilder();
        md.AppendLine("| network | batch | pairs x batches per side | Trainer rows/s (median) | hand loop rows/s (median) | ratio median | ratio IQR | ratio min–max |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| {archName} | {options.BatchSize} | {pairs} x {batchesPerSide} | {Quantile(oursRates, 0.5):N0} | {Quantile(handRates, 0.5):N0} | {Quantile(ratios, 0.5):F3} | {Quantile(ratios, 0.25):F3}–{Quantile(ratios, 0.75):F3} | {ratios.Min():F3}–{ratios.Max():F3} |");
        return md.ToString();
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>The library's trainer, training in stretches of batches (as the pruning rounds do).</summary>
    private sealed class OursSide : IDisposable
    {
        private readonly PrunableNetwork _network;
        private readonly TensorBatches _batches;
        private readonly Trainer _trainer;

        public OursSide(NetworkDefinition definition, InMemoryDataset train, TrainingOptions options)
        {
            _network = NetworkBuilder.Build(definition, 1);
            _batches = new TensorBatches(train, 1);
            _trainer = new Trainer(_network, options);
        }

        /// <summary>Trains <paramref name="batches"/> batches; returns rows per second.</summary>
        public double Train(int batches)
        {
            var clock = Stopwatch.StartNew();
            long rows = 0;
            while (batches > 0)
            {
                var segment = _trainer.TrainBatches(_batches, 0, batches);
                batches -= segment.Batches;
                rows += segment.Samples;
            }

            return rows / clock.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            _trainer.Dispose();
            _batches.Dispose();
            _network.Dispose();
        }
    }

    /// <summary>The loop a TorchSharp user would write by hand: index_select batches, forward, loss, backward, step.</summary>
    private sealed class HandSide : IDisposable
    {
        private readonly PrunableNetwork _network;
        private readonly Tensor _x;
        private readonly Tensor _y;
        private readonly optim.Optimizer _optimizer;
        private readonly int _batchSize;
        private readonly int _count;
        private int[] _order;
        private int _epoch;
        private int _position;

        public HandSide(NetworkDefinition definition, InMemoryDataset train, TrainingOptions options)
        {
            _network = NetworkBuilder.Build(definition, 1);
            (_x, _y) = train.ToTensors();
            _x.DetachFromDisposeScope();
            _y.DetachFromDisposeScope();
            _optimizer = optim.Adam(_network.parameters(), options.Optimizer.LearningRate);
            _batchSize = options.BatchSize;
            _count = train.Count;
            _order = new SeededRandom(0).Permutation(_count);
            _network.train();
        }

        public double Train(int batches)
        {
            var clock = Stopwatch.StartNew();
            long rows = 0;
            for (int b = 0; b < batches; b++)
            {
                if (_position >= _count)
                {
                    _order = new SeededRandom(++_epoch).Permutation(_count);
                    _position = 0;
                }

                using var scope = torch.NewDisposeScope();
                int n = Math.Min(_batchSize, _count - _position);
                var index = torch.tensor(_order.AsSpan(_position, n).ToArray().Select(i => (long)i).ToArray());
                var xb = _x.index_select(0, index);
                var yb = _y.index_select(0, index);
                _optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(_network.forward(xb), yb);
                loss.backward();
                _optimizer.step();
                _position += n;
                rows += n;
            }

            return rows / clock.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            _optimizer.Dispose();
            _x.Dispose();
            _y.Dispose();
            _network.Dispose();
        }
    }
}

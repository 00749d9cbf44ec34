using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;
using TorchSharp;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Scoring throughput on the test rows: ML.NET (<c>model.Transform</c> + a cursor over Score, i.e. ONNX Runtime one
/// row at a time) against TorchSharp evaluation of the same network, dense and 90% sparse, in one run.
/// </summary>
internal static class ScoringBenchmark
{
    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public static string Run(string spec, int repeats)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        var md = new StringBuilder();
        md.AppendLine(c, $"Data `{BenchmarkData.Display(spec)}`, LeNet-300-100 trained 5 epochs, scored on the {data.Test.Count} test rows; median of {repeats} passes.");
        md.AppendLine();
        md.AppendLine("| network | ONNX storage | file bytes | ML.NET Transform + cursor rows/s | TorchSharp eval rows/s (batch 1) | TorchSharp eval rows/s (batch 1000) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var (label, rounds, rate) in new[] { ("dense", 0, 0.5), ("90% sparse", 1, 0.9) })
        {
            var definition = NetworkArchitecture.LeNet300().Define(784, data.Train.Shape, 10);
            var options = new IterativePrunerOptions
            {
                Rounds = rounds,
                Rate = PruningRate.Fixed(rate),
                PretrainEpochs = 5,
                Stopping = StoppingPolicy.FixedEpochs(2),
                Rewind = RewindPoint.None,
            };
            using var result = new IterativePruner(options).Run(definition, data);
            foreach (var storage in rounds == 0 ? new[] { OnnxStorage.Dense } : new[] { OnnxStorage.Dense, OnnxStorage.Sparse })
            {
                byte[] onnx = OnnxExporter.Export(result.Network, new OnnxExportOptions { Storage = storage });
                string file = Path.Combine(Path.GetTempPath(), $"scoring-bench-{Guid.NewGuid():N}.onnx");
                File.WriteAllBytes(file, onnx);
                try
                {
                    var ml = new MLContext(1);
                    var rows = Enumerable.Range(0, data.Test.Count).Select(i => new Row { Label = (uint)data.Test.Labels[i], Features = data.Test.Row(i).ToArray() }).ToList();
                    var view = ml.Data.LoadFromEnumerable(rows);
                    var model = ml.Transforms.ApplyOnnxModel(new[] { "Score" }, new[] { "Features" }, file).Fit(view);
                    double mlnet = Median(repeats, () =>
                    {
                        var scored = model.Transform(view);
                        using var cursor = scored.GetRowCursor(scored.Schema.Where(col => col.Name == "Score"));
                        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
                        VBuffer<float> score = default;
                        var clock = Stopwatch.StartNew();
                        while (cursor.MoveNext())
                        {
                            getter(ref score);
                        }

                        return rows.Count / clock.Elapsed.TotalSeconds;
                    });
                    (model as IDisposable)?.Dispose();
                    double torch1 = TorchRowsPerSecond(result.Network, data.Test, 1, repeats);
                    double torch1000 = TorchRowsPerSecond(result.Network, data.Test, 1000, repeats);
                    md.AppendLine(c, $"| {label} | {storage.ToString().ToLowerInvariant()} | {onnx.Length:N0} | {mlnet:N0} | {torch1:N0} | {torch1000:N0} |");
                }
                finally
                {
                    File.Delete(file);
                }
            }
        }

        return md.ToString();
    }

    private static double TorchRowsPerSecond(PrunableNetwork network, InMemoryDataset test, int batchSize, int repeats)
    {
        using var batches = new TensorBatches(test, 1);
        network.eval();
        return Median(repeats, () =>
        {
            var clock = Stopwatch.StartNew();
            using var noGrad = torch.no_grad();
            foreach (var (x, _) in batches.Batches(batchSize, 0, shuffle: false))
            {
                network.forward(x).softmax(1);
            }

            return test.Count / clock.Elapsed.TotalSeconds;
        });
    }

    private static double Median(int repeats, Func<double> measure)
    {
        measure(); // warm-up
        var values = Enumerable.Range(0, repeats).Select(_ => measure()).OrderBy(v => v).ToArray();
        return values[values.Length / 2];
    }
}

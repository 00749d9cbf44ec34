using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// ONNX Runtime latency of every built-in network, dense against weight-pruned (90% per layer), through
/// <see cref="OnnxModelMeasurement"/>: each pruned file is timed interleaved with the dense file, run by run. The pruned
/// network is measured twice, with its zeros stored sparse (Constant sparse_value) and stored dense, which separates
/// what the file format does from what the zeros do.
/// </summary>
internal static class DeploymentBenchmark
{
    public static string Run(OnnxMeasurementOptions options, IReadOnlyList<(string Architecture, string Shape, int Features)> networks)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(string.Create(c, $"Random weights (seed 11), 10 classes, layerwise magnitude pruning to 90%; ONNX Runtime {OrtVersion()}, CPU, ")
            + string.Create(c, $"{(options.Threads > 0 ? $"{options.Threads} intra-op thread(s)" : "default threads")}; at least {options.MinRuns} timed runs and ")
            + string.Create(c, $"{options.SecondsPerBatch} s per batch size and comparison, after {options.WarmupRuns} warm-up runs. Latency: median ")
            + "milliseconds per run [25th–75th percentile]; ratio: median [quartiles] of the per-pair ratios of runs interleaved with the dense model.");
        md.AppendLine();
        md.AppendLine("| network | MACs per row | non-zero-weight MACs | storage of the pruned file | file | session memory | batch 1 dense ms | batch 1 pruned ms | batch 1 ratio | batch 64 dense ms | batch 64 pruned ms | batch 64 ratio |");
        md.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (architecture, shape, features) in networks)
        {
            var definition = NetworkArchitecture.Parse(architecture).Define(features, shape.Length == 0 ? null : Data.ImageShape.Parse(shape), 10);
            byte[] dense, prunedSparse, prunedDense;
            using (var network = NetworkBuilder.Build(definition, seed: 11))
            {
                network.eval();
                dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
                using (var masks = new MaskSet(network))
                {
                    MagnitudePruner.Prune(masks, PruningRate.Fixed(0.9), PruningScope.Layerwise);
                }

                prunedSparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
                prunedDense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
            }

            foreach (var (storage, pruned) in new[] { ("sparse", prunedSparse), ("dense", prunedDense) })
            {
                var m = OnnxModelMeasurement.Measure(pruned, $"{definition.Name} pruned", dense, $"{definition.Name} dense", options);
                Console.Error.WriteLine($"{definition.Name} ({storage} storage): {string.Join("; ", m.LatencyRatios.Select(r => $"batch {r.Batch} {r.Median:F3}"))}");
                md.AppendLine(string.Create(c, $"| {definition.Name}{(shape.Length == 0 ? "" : " " + shape.Replace(',', 'x'))} | {m.Baseline!.Macs:N0} | {m.EffectiveMacsRatio:F2}x | {storage} ")
                    + string.Create(c, $"| {m.FileBytesRatio:F2}x | {Times(m.PeakMemoryRatio)} | {Latency(m.Baseline, 1)} | {Latency(m.Model, 1)} | {Ratio(m, 1)} ")
                    + string.Create(c, $"| {Latency(m.Baseline, 64)} | {Latency(m.Model, 64)} | {Ratio(m, 64)} |"));
            }
        }

        return md.ToString();
    }

    private static string OrtVersion() => Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();

    private static string Times(double? ratio) => ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "x" : "–";

    private static string Latency(DeploymentFigures figures, int batch) =>
        figures.Latency.FirstOrDefault(l => l.Batch == batch) is { } l ? $"{F(l.MedianMs)} [{F(l.P25Ms)}–{F(l.P75Ms)}]" : "–";

    private static string Ratio(DeploymentMeasurement m, int batch) =>
        m.LatencyRatios.FirstOrDefault(r => r.Batch == batch) is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r.Median:F2} [{r.P25:F2}–{r.P75:F2}]") : "–";

    private static string F(double ms) => ms.ToString(ms >= 100 ? "F0" : ms >= 10 ? "F1" : ms >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);
}

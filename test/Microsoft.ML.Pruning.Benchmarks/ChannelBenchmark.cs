using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;
using ScottPlot;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Channel against weight pruning, both with ICP (icp-if), on the same network, data, schedule and seed: accuracy,
/// sparsity, MACs and ONNX Runtime latency at batch 1 and 64 of the exported model against its dense counterpart
/// (interleaved runs, median and quartiles of the per-pair ratios), and a chart of accuracy against latency. Each model
/// is exported as <c>prune</c> writes it: weight pruning with auto storage at the network's shapes, channel pruning
/// compacted.
/// </summary>
internal static class ChannelBenchmark
{
    /// <summary>One network of the comparison and its (reduced) schedule.</summary>
    public sealed record Case(string Architecture, string Data, int Rows, int Rounds, double Rate, int DenseEpochs, int MaxEpochsPerRound, int? TrainRows = null);

    private sealed record Row(Case Case, string Granularity, PruningReport Report, DeploymentMeasurement Deployment);

    public static string Run(IReadOnlyList<Case> cases, OnnxMeasurementOptions measurement, string? chartPath, Action<string>? partial)
    {
        var rows = new List<Row>();
        foreach (var item in cases)
        {
            var split = Load(item);
            var definition = NetworkArchitecture.Parse(item.Architecture).Define(split.Train);
            byte[] dense;
            using (var network = NetworkBuilder.Build(definition, seed: 1))
            {
                network.eval();
                dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
            }

            foreach (var granularity in new[] { PruningGranularity.Weight, PruningGranularity.Channel })
            {
                var options = PruningMethods.Apply("icp-if", new IterativePrunerOptions
                {
                    Rounds = item.Rounds,
                    PretrainEpochs = item.DenseEpochs,
                    Criterion = PruningCriterion.For(granularity),
                    Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(1e-3), BatchSize = 60 },
                    Seed = 1,
                }, new MethodSettings { EpochsPerRound = item.MaxEpochsPerRound, Rate = item.Rate });
                Console.Error.WriteLine($"{item.Architecture} {granularity}: training...");
                using var result = new IterativePruner(options).Run(definition, split);
                bool channel = granularity == PruningGranularity.Channel;
                var model = OnnxExporter.Export(result.Network, new OnnxExportOptions { Storage = OnnxStorage.Auto, Compact = channel });
                var m = OnnxModelMeasurement.Measure(model, $"{definition.Name} {granularity}", dense, $"{definition.Name} dense", measurement);
                rows.Add(new Row(item, channel ? "channel" : "weight", result.Report, m));
                Console.Error.WriteLine($"{item.Architecture} {granularity}: test {result.Report.Final!.TestMetric:P2}, sparsity {result.Report.Final.Sparsity:P1}, " +
                    string.Join(", ", m.LatencyRatios.Select(r => $"batch {r.Batch} {r.Median:F2}x")));
            }

            var md = Render(rows, measurement);
            partial?.Invoke(md);
            if (chartPath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(chartPath))!);
                File.WriteAllBytes(chartPath, Chart(rows));
            }
        }

        return Render(rows, measurement);
    }

    private static DataSplit Load(Case item)
    {
        var split = DataSource.Load(item.Data, new DataLoadOptions { Split = SplitFractions.Parse("0.7,0.1,0.2"), SyntheticShapesCount = item.Rows, SyntheticDigitsCount = item.Rows });
        // Fewer training rows where an epoch would take too long; validation and test rows stay whole.
        return item.TrainRows is { } n && n < split.Train.Count ? split with { Train = split.Train.Slice(0, n, $"{split.Train.Name}, first {n} rows") } : split;
    }

    private static string Render(IReadOnlyList<Row> rows, OnnxMeasurementOptions o)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(string.Create(c, $"Method `icp-if` (ICP on information flow, deciding every quarter epoch, rewinding to the dense weights), layerwise, Adam 1e-3, batch 60, seed 1; ")
            + "the same schedule for both granularities of a network. Weight pruning removes single weights by magnitude and is exported as `prune` writes it "
            + "(auto storage, the network's shapes); channel pruning removes whole channels and neurons by L1 norm with their coupled parts and is exported "
            + string.Create(c, $"compacted. ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()}, CPU, {(o.Threads > 0 ? $"{o.Threads} intra-op thread(s)" : "default threads")}, ")
            + string.Create(c, $"at least {o.MinRuns} timed runs and {o.SecondsPerBatch} s per batch size, after {o.WarmupRuns} warm-up runs, interleaved with the dense ")
            + "counterpart (the same network unpruned, exported dense); latency ratio: median [quartiles] of the per-pair ratios. MACs: multiply-accumulates of one row as "
            + "executed (zeros included), against the dense counterpart's.");
        md.AppendLine();
        md.AppendLine("| network | data (rows) | schedule | granularity | dense test acc | final test acc | Δ pt | sparsity | MACs | file | batch 1 latency | batch 64 latency | retraining epochs |");
        md.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var report = r.Report;
            double dense = report.Dense!.TestMetric * 100, final = report.Final!.TestMetric * 100;
            double retraining = report.Rounds.Sum(x => x.Epochs);
            string data = r.Case.Data.StartsWith("idx:", StringComparison.Ordinal) ? "MNIST-10k" : r.Case.Data;
            string trainRows = r.Case.TrainRows is { } n ? string.Create(c, $", {n:N0} of them trained on") : "";
            md.AppendLine(string.Create(c, $"| {r.Case.Architecture} | {data} ({RowCount(r)}{trainRows}) | {r.Case.DenseEpochs} dense epochs, {report.Rounds.Count} x {r.Case.Rate:P0}, ≤ {r.Case.MaxEpochsPerRound} epochs per round ")
                + string.Create(c, $"| {r.Granularity} | {dense:F2} % | {final:F2} % | {final - dense:+0.00;-0.00} | {report.Final.Sparsity:P1} | {r.Deployment.MacsRatio:F2}x | {r.Deployment.FileBytesRatio:F2}x ")
                + string.Create(c, $"| {Ratio(r.Deployment, 1)} | {Ratio(r.Deployment, 64)} | {retraining:0.##} |"));
        }

        return md.ToString();
    }

    private static string RowCount(Row r) => r.Case.Data.StartsWith("synthetic", StringComparison.Ordinal) ? r.Case.Rows.ToString("N0", CultureInfo.InvariantCulture) : "10,000";

    private static string Ratio(DeploymentMeasurement m, int batch) =>
        m.LatencyRatios.FirstOrDefault(r => r.Batch == batch) is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r.Median:F2}x [{r.P25:F2}–{r.P75:F2}]") : "–";

    /// <summary>Test accuracy against the batch-64 latency ratio, one point per network and granularity, each pair of a
    /// network joined by a line from weight to channel pruning.</summary>
    private static byte[] Chart(IReadOnlyList<Row> rows)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var networks = rows.Select(r => r.Case.Architecture).Distinct().ToList();
        for (int i = 0; i < networks.Count; i++)
        {
            var points = rows.Where(r => r.Case.Architecture == networks[i]).OrderBy(r => r.Granularity == "channel").ToList();
            double[] xs = points.Select(p => p.Deployment.LatencyRatios.FirstOrDefault(l => l.Batch == 64)?.Median ?? double.NaN).ToArray();
            double[] ys = points.Select(p => p.Report.Final!.TestMetric * 100).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = networks[i];
            line.Color = palette.GetColor(i);
            line.LineWidth = 1;
            line.MarkerSize = 9;
            for (int k = 0; k < points.Count; k++)
            {
                var label = plot.Add.Text(points[k].Granularity, xs[k], ys[k]);
                label.LabelFontSize = 11;
                label.LabelFontColor = palette.GetColor(i);
            }
        }

        // Room right of the dense line for the weight-pruned points' labels.
        double right = rows.Select(r => r.Deployment.LatencyRatios.FirstOrDefault(l => l.Batch == 64)?.Median ?? 1).Append(1.0).Max();
        plot.Axes.SetLimitsX(0, right + 0.25);
        var dense = plot.Add.VerticalLine(1.0);
        dense.LegendText = "dense latency";
        dense.LinePattern = LinePattern.Dashed;
        plot.Title("Channel against weight pruning (ICP): accuracy against ONNX Runtime latency");
        plot.XLabel("latency at batch 64, pruned / dense (median of interleaved pairs)");
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(900, 550, ImageFormat.Png);
    }
}

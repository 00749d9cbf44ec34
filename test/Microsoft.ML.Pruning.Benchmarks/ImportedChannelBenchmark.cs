using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;
using TorchSharp;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Channel pruning of the user's own model: each PyTorch-exported CNN test model is imported, channel-pruned with ICP
/// (3 rounds of 30%, the options of <c>mlnet-prune prune --model M --granularity channel --method icp-if --rounds 3
/// --rate 0.3</c>), exported compacted as its own graph, and the file is measured against the original: ONNX Runtime
/// accuracy, Gemm/Conv weights and MACs, latency at batch 1 and 64 (interleaved with the original, median and quartiles
/// of the per-pair ratios), parity with the masked network, and the ONNX checker's full check.
/// </summary>
internal static class ImportedChannelBenchmark
{
    private const int Rounds = 3;
    private const double Rate = 0.3;

    public static string Run(string spec, string modelFolder, string python, string outFolder, OnnxMeasurementOptions measurement)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        Directory.CreateDirectory(outFolder);
        var md = new StringBuilder();
        md.AppendLine(string.Create(c, $"Data `{BenchmarkData.Display(spec)}` split 0.7/0.1/0.2 by index; each model from `test/Microsoft.ML.Pruning.Tests/TestModels` ")
            + string.Create(c, $"(trained by `make_models.py` on rows 0..6999), imported and channel-pruned as `mlnet-prune prune --model M --data ... --granularity channel --method icp-if --rounds {Rounds} --rate {Rate}` ")
            + "does it (L1 channel norm, layerwise; no dense pre-training: the dense reference is the imported model; at most 5 epochs a round; Adam 1.2e-3, batch 60, seed 1; "
            + "one libtorch thread), then exported compacted with dense storage (`--compact auto`). Accuracies are ONNX Runtime's on the 2000 test rows, the original file's and the "
            + "compacted file's. Weights: the Gemm/Conv weight elements in the file; MACs: multiply-accumulates of one row as executed. "
            + string.Create(c, $"Latency: ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()}, CPU, {measurement.Threads} intra-op thread(s), ")
            + string.Create(c, $"at least {measurement.MinRuns} timed runs and {measurement.SecondsPerBatch} s per batch size after {measurement.WarmupRuns} warm-up runs, ")
            + "interleaved with the original file; ratio = median [quartiles] of the per-pair ratios. Parity: max |difference| of the outputs over the test rows between ONNX "
            + "Runtime on the compacted file and TorchSharp on the masked network.");
        md.AppendLine();
        md.AppendLine("| model | original acc | pruned acc | Δ pt | channels kept | Gemm/Conv weights | MACs | batch 1 latency | batch 64 latency | epochs per round (stop) | wall s | parity | ONNX checker |");
        md.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (string file in new[] { "cnn_bn.onnx", "resnet.onnx" })
        {
            Console.Error.WriteLine($"{file}: training...");
            string row = Measure(Path.Combine(modelFolder, file), data, python, outFolder, measurement);
            Console.Error.WriteLine(row);
            md.AppendLine(row);
        }

        return md.ToString();
    }

    private static string Measure(string path, DataSplit data, string python, string outFolder, OnnxMeasurementOptions measurement)
    {
        var c = CultureInfo.InvariantCulture;
        var original = File.ReadAllBytes(path);
        string file = Path.GetFileName(path);
        var source = OnnxModelSource.FromBytes(original, file);
        var options = PruningMethods.Apply("icp-if", new IterativePrunerOptions
        {
            Rounds = Rounds,
            PretrainEpochs = 0,
            Criterion = PruningCriterion.Channels(),
            Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(1.2e-3), BatchSize = 60 },
            Seed = 1,
        }, epochsPerRound: 5, rate: Rate);
        var clock = Stopwatch.StartNew();
        using var result = new IterativePruner(options).Run(source, data);
        double seconds = clock.Elapsed.TotalSeconds;
        var pruned = OnnxExporter.Export(result.Network, new OnnxExportOptions { Compact = true, Metadata = OnnxExporter.MetadataFrom(result.Report, result.Masks) });
        string prunedPath = Path.Combine(outFolder, Path.GetFileNameWithoutExtension(path) + ".channel.onnx");
        File.WriteAllBytes(prunedPath, pruned);

        var groups = ChannelGroups.Analyze(source).Prunable.ToList();
        int kept = groups.Sum(g => ChannelCriterion.Alive(result.Masks, g).Count), total = groups.Sum(g => g.Channels);
        var m = OnnxModelMeasurement.Measure(pruned, file + " channel-pruned", original, file, measurement);
        double originalAccuracy = ImportBenchmark.Accuracy(original, source, data.Test), prunedAccuracy = ImportBenchmark.Accuracy(pruned, source, data.Test);
        double parity = ImportBenchmark.Outputs(pruned, source, data.Test).Zip(MaskedOutputs(result.Network, source, data.Test), (p, q) => Math.Abs((double)p - q)).Max();
        string rounds = string.Join(", ", result.Report.Rounds.Select(r => string.Create(c, $"{r.Epochs:0.##} ({r.StopReason})")));
        return string.Create(c, $"| {file} | {originalAccuracy:P2} | {prunedAccuracy:P2} | {(prunedAccuracy - originalAccuracy) * 100:+0.00;-0.00} | {kept} of {total} in {groups.Count} groups ")
            + string.Create(c, $"| {m.Model.Weights:N0} of {m.Baseline!.Weights:N0} ({(double)m.Model.Weights / m.Baseline.Weights:F2}x) | {m.MacsRatio:F2}x | {Ratio(m, 1)} | {Ratio(m, 64)} ")
            + string.Create(c, $"| {rounds} | {seconds:F0} | {parity:E1} | {ImportBenchmark.Check(python, prunedPath)} |");
    }

    /// <summary>The masked network's outputs on <paramref name="rows"/> in evaluation mode, with the model's final
    /// activation applied: what the exported file must reproduce.</summary>
    private static float[] MaskedOutputs(Networks.PrunableNetwork network, OnnxModelSource source, InMemoryDataset rows)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        network.eval();
        var features = Enumerable.Range(0, rows.Count).SelectMany(i => rows.Row(i).ToArray()).ToArray();
        var logits = network.call(torch.tensor(features, new long[] { rows.Count, source.InputFeatures }).to(network.PrunableLayers[0].Weight.device));
        var output = source.FinalActivation switch
        {
            "Softmax" => torch.nn.functional.softmax(logits, 1),
            "LogSoftmax" => torch.nn.functional.log_softmax(logits, 1),
            _ => logits,
        };
        return output.cpu().data<float>().ToArray();
    }

    private static string Ratio(DeploymentMeasurement m, int batch) =>
        m.LatencyRatios.FirstOrDefault(r => r.Batch == batch) is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r.Median:F2}x [{r.P25:F2}–{r.P75:F2}]") : "–";
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// The user's own model, end to end: each PyTorch-exported test model is imported, pruned with ICP (3 rounds of 30%,
/// the options of <c>mlnet-prune prune --model M --method icp-if --rounds 3 --rate 0.3</c>), exported as its own graph,
/// and the exported file is checked: same interface as the original, ONNX Runtime accuracy against the original's,
/// sparsity of the Gemm/Conv weights, the ONNX checker's full check, and the round trip without pruning.
/// </summary>
internal static class ImportBenchmark
{
    private const int Rounds = 3;
    private const double Rate = 0.3;

    public static string Run(string spec, string modelFolder, string python, string outFolder)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        Directory.CreateDirectory(outFolder);
        var md = new StringBuilder();
        string intro = string.Create(c, $"Data `{BenchmarkData.Display(spec)}` split 0.7/0.1/0.2 by index; each model from `test/Microsoft.ML.Pruning.Tests/TestModels` ")
            + string.Create(c, $"(trained by `make_models.py` on rows 0..6999), imported and pruned as `mlnet-prune prune --model M --data ... --method icp-if --rounds {Rounds} --rate {Rate}` ")
            + "does it (no dense pre-training: the dense reference is the imported model; at most 5 epochs a round; Adam 1.2e-3, batch 60, seed 1), "
            + string.Create(c, $"then exported with dense storage. Target sparsity 1 − 0.7³ = {1 - Math.Pow(1 - Rate, Rounds):P1}. Test accuracies are ONNX Runtime's on the 2000 test rows.");
        md.AppendLine(intro);
        md.AppendLine();
        md.AppendLine("| model | opset | interface (unchanged) | prunable layers | original acc | pruned acc | Δ pt | Gemm/Conv zeros | epochs per round (stop) | wall s | ONNX checker | round trip max abs diff |");
        md.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---|---:|---|---:|");
        foreach (string file in new[] { "mlp.onnx", "cnn_bn.onnx", "resnet.onnx" })
        {
            var row = Measure(Path.Combine(modelFolder, file), data, python, outFolder);
            md.AppendLine(c, $"| {file} | {row.Opset} | {row.Interface} ({(row.SameInterface ? "yes" : "NO")}) | {row.Layers} | {row.OriginalAccuracy:P2} | {row.PrunedAccuracy:P2} | "
                + $"{(row.PrunedAccuracy - row.OriginalAccuracy) * 100:+0.00;-0.00} | {row.Sparsity:P2} | {row.Rounds} | {row.Seconds:F0} | {row.Checker} | {row.RoundTrip:G3} |");
        }

        return md.ToString();
    }

    private sealed record Row(long Opset, string Interface, bool SameInterface, int Layers, double OriginalAccuracy, double PrunedAccuracy,
        double Sparsity, string Rounds, double Seconds, string Checker, double RoundTrip);

    private static Row Measure(string path, DataSplit data, string python, string outFolder)
    {
        var original = File.ReadAllBytes(path);
        var source = OnnxModelSource.FromBytes(original, Path.GetFileName(path));
        var options = PruningMethods.Apply("icp-if", new IterativePrunerOptions
        {
            Rounds = Rounds,
            PretrainEpochs = 0,
            Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(1.2e-3), BatchSize = 60 },
            Seed = 1,
        }, epochsPerRound: 5, rate: Rate);
        var clock = Stopwatch.StartNew();
        using var result = new IterativePruner(options).Run(source, data);
        double seconds = clock.Elapsed.TotalSeconds;
        var pruned = OnnxExporter.Export(result.Network, new OnnxExportOptions { Metadata = OnnxExporter.MetadataFrom(result.Report, result.Masks) });
        string prunedPath = Path.Combine(outFolder, Path.GetFileNameWithoutExtension(path) + ".pruned.onnx");
        File.WriteAllBytes(prunedPath, pruned);

        using var dense = source.Build(seed: 0);
        var roundTrip = OnnxExporter.Export(dense);
        var before = ModelProto.Parser.ParseFrom(original);
        var after = ModelProto.Parser.ParseFrom(pruned);
        bool same = before.Graph.Input.Equals(after.Graph.Input) && before.Graph.Output.Equals(after.Graph.Output)
            && before.OpsetImport.Equals(after.OpsetImport);
        string Shape(ValueInfoProto v) => "[" + string.Join(", ", v.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(CultureInfo.InvariantCulture))) + "]";
        string face = $"`{after.Graph.Input[0].Name}` {Shape(after.Graph.Input[0])} → `{after.Graph.Output[0].Name}` {Shape(after.Graph.Output[0])}";

        return new Row(source.OpsetVersion, face, same, source.PrunableLayers.Count, Accuracy(original, source, data.Test), Accuracy(pruned, source, data.Test),
            OnnxModelInfo.FromBytes(pruned).Sparsity,
            string.Join(", ", result.Report.Rounds.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Epochs:0.##} ({r.StopReason})"))), seconds, Check(python, prunedPath),
            MaxDifference(original, roundTrip, source, data.Test));
    }

    internal static float[] Outputs(byte[] model, OnnxModelSource source, InMemoryDataset rows)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var features = Enumerable.Range(0, rows.Count).SelectMany(i => rows.Row(i).ToArray()).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(features, source.InputShape.Prepend(rows.Count).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { source.InputName }, new[] { input }, new[] { source.OutputName });
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    internal static double Accuracy(byte[] model, OnnxModelSource source, InMemoryDataset rows)
    {
        var outputs = Outputs(model, source, rows);
        int width = source.OutputWidth, correct = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var row = outputs.AsSpan(i * width, width);
            int best = 0;
            for (int j = 1; j < width; j++)
            {
                best = row[j] > row[best] ? j : best;
            }

            correct += best == rows.Labels[i] ? 1 : 0;
        }

        return correct / (double)rows.Count;
    }

    private static double MaxDifference(byte[] a, byte[] b, OnnxModelSource source, InMemoryDataset rows)
    {
        var x = Outputs(a, source, rows);
        var y = Outputs(b, source, rows);
        return x.Zip(y, (p, q) => Math.Abs((double)p - q)).Max();
    }

    /// <summary>onnx.checker.check_model(full_check=True) through the given Python, or why it could not run.</summary>
    internal static string Check(string python, string path)
    {
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('onnx ' + onnx.__version__)");
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            string error = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? $"passes ({output} full check)" : $"FAILS: {error.Split('\n').Last()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"not run ({python}: {e.Message})";
        }
    }
}

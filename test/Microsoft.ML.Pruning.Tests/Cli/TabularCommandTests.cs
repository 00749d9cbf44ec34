using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// <c>--data csv:FILE --label COLUMN</c> on tables: the task comes from the labels (values: regression, two classes:
/// binary) or <c>--task</c>; features are standardised on the training rows and model.onnx does the same, so ONNX Runtime
/// given the raw rows scores what the network measured in process.
/// </summary>
public sealed class TabularCommandTests
{
    private const int Rows = 400;

    /// <summary>A table whose label column (not the first) is a value or a yes/no answer; features on very different scales.</summary>
    private static (string Path, float[][] Features, string[] Labels) Table(TempDirectory dir, bool values)
    {
        var random = new Random(values ? 11 : 12);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var scales = new[] { 1.0, 1000.0, 0.01, 10.0 };
        var features = new float[Rows][];
        var labels = new string[Rows];
        var text = new StringBuilder("a,b,target,c,d\n");
        for (int i = 0; i < Rows; i++)
        {
            var z = scales.Select(_ => Gaussian()).ToArray();
            double signal = z[0] - 0.8 * z[1] + 0.5 * z[2] * z[3];
            features[i] = z.Select((v, f) => (float)(v * scales[f] + 3 * scales[f])).ToArray();
            labels[i] = values ? (150 + 40 * signal + 5 * Gaussian()).ToString("F2", CultureInfo.InvariantCulture) : signal + 0.3 * Gaussian() > 0 ? "yes" : "no";
            var f = features[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            text.AppendLine($"{f[0]},{f[1]},{labels[i]},{f[2]},{f[3]}");
        }

        string path = dir.File(values ? "values.csv" : "answers.csv");
        File.WriteAllText(path, text.ToString());
        return (path, features, labels);
    }

    private static async Task<PruningReport> Prune(string csv, string outDir, params string[] extra)
    {
        var args = new[] { "prune", "--data", "csv:" + csv, "--label", "target", "--arch", "mlp:16", "--method", "lth", "--rounds", "1", "--rate", "0.3",
            "--epochs", "5", "--pretrain-epochs", "40", "--batch-size", "32", "--measure-runs", "0", "--out", outDir }.Concat(extra).ToArray();
        var (code, _, stderr) = await Run(args);
        Assert.True(code == 0, stderr);
        return PruningReport.FromJson(File.ReadAllText(Path.Combine(outDir, "report.json")));
    }

    /// <summary>The test rows of the default split (0.7, 0.1, 0.2 by index): the last fifth.</summary>
    private static int TestStart => (int)Math.Round(Rows * 0.8);

    private static Dictionary<string, float[]> Score(string model, float[][] rows, params string[] outputs)
    {
        using var session = new InferenceSession(model);
        var flat = rows.SelectMany(r => r).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(flat, new long[] { rows.Length, rows[0].Length });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "Features" }, new[] { input }, outputs);
        return outputs.Zip(results, (name, r) => (name, r.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool
            ? r.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1f : 0f).ToArray()
            : r.GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.name, p => p.Item2);
    }

    [Fact]
    public async Task ValueLabelIsRegressionAndTheModelTakesRawFeaturesAndGivesRawValues()
    {
        using var dir = new TempDirectory();
        var (csv, features, labels) = Table(dir, values: true);
        var report = await Prune(csv, dir.File("out"));
        Assert.Equal("regression", report.Task);
        Assert.Equal("r2", report.Metric);

        var test = features[TestStart..];
        var truth = labels[TestStart..].Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var score = Score(dir.File("out/model.onnx"), test, "Score")["Score"];
        double mean = truth.Average();
        double r2 = 1 - truth.Select((y, i) => Math.Pow(y - score[i], 2)).Sum() / truth.Select(y => Math.Pow(y - mean, 2)).Sum();

        // ONNX Runtime on raw rows scores what the engine measured on standardised rows (R² does not see the scale).
        Assert.Equal(report.Final!.TestMetric, r2, 3);
        Assert.True(r2 > 0.5, $"R² {r2}");
        Assert.InRange(score.Average(), 100, 200);

        // With --standardize off the raw scales (0.01 to 1000) are left to the network; the graph has no steps.
        var graph = Microsoft.ML.Pruning.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("out/model.onnx"))).Graph;
        Assert.Equal(new[] { "Sub", "Div" }, graph.Node.Take(2).Select(n => n.OpType));
        await Prune(csv, dir.File("raw"), "--standardize", "off");
        var rawGraph = Microsoft.ML.Pruning.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("raw/model.onnx"))).Graph;
        Assert.DoesNotContain(rawGraph.Node, n => n.OpType is "Sub" or "Div");
    }

    [Fact]
    public async Task TwoClassLabelIsBinaryWithAProbabilityAndTheModelTakesRawFeatures()
    {
        using var dir = new TempDirectory();
        var (csv, features, labels) = Table(dir, values: false);
        var report = await Prune(csv, dir.File("out"));
        Assert.Equal("binary", report.Task);

        var test = features[TestStart..];
        var outputs = Score(dir.File("out/model.onnx"), test, "Score", "Probability", "PredictedLabel");
        // Classes are sorted: "no" is 0, "yes" is 1.
        double accuracy = labels[TestStart..].Select((l, i) => (l == "yes") == (outputs["PredictedLabel"][i] == 1f)).Average(ok => ok ? 1.0 : 0.0);
        Assert.Equal(report.Final!.TestMetric, accuracy, 6);
        Assert.True(accuracy > 0.8, $"accuracy {accuracy}");
        Assert.All(outputs["Probability"].Zip(outputs["Score"]), p => Assert.Equal(1 / (1 + Math.Exp(-p.Second)), p.First, 5));
    }

    [Fact]
    public async Task TaskAndLabelThatDoNotFitTheDataAreRefusedBeforeTraining()
    {
        using var dir = new TempDirectory();
        var (csv, _, _) = Table(dir, values: false);
        var (code, _, stderr) = await Run("prune", "--data", "csv:" + csv, "--label", "target", "--task", "regression", "--out", dir.File("a"));
        Assert.Equal(2, code);
        Assert.Contains("label 'no' is not a finite number", stderr);

        (code, _, stderr) = await Run("prune", "--data", "csv:" + csv, "--label", "missing", "--out", dir.File("b"));
        Assert.Equal(2, code);
        Assert.Contains("'missing'", stderr);

        (code, _, stderr) = await Run("prune", "--label", "target", "--out", dir.File("c"));
        Assert.Equal(2, code);
        Assert.Contains("--label names a column of a csv: file", stderr);
    }
}

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tasks;
using Microsoft.ML.Pruning.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// The per-task heads and the standardisation steps: ONNX Runtime, given raw features, scores what the network in
/// TorchSharp scores on the standardised ones — the sigmoid and the sign of the logit for binary, the value mapped back
/// to the target's scale for regression.
/// </summary>
public sealed class OnnxTaskHeadTests
{
    private const int Rows = 23;
    private const int Width = 6;

    public OnnxTaskHeadTests() => NetworkTestCases.EnsureTorch();

    /// <summary>Raw rows on very different scales, the standardisation measured on them, and the standardised rows.</summary>
    private static (float[] Raw, Standardization Scaling, float[] Standardised) Table()
    {
        var z = OnnxTestSupport.Features(Rows, Width, seed: 3);
        var raw = z.Select((v, i) => v * MathF.Pow(10, i % Width - 2) + 5 * (i % Width)).ToArray();
        var data = new InMemoryDataset(raw, new float[Rows], Width);
        var scaling = Standardization.OfFeatures(data);
        return (raw, scaling, scaling.ApplyToFeatures(data).Features.ToArray());
    }

    private static float[] Logits(PrunableNetwork network, float[] rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        return network.call(torch.tensor(rows, new long[] { Rows, Width })).data<float>().ToArray();
    }

    /// <summary>Each output's values (floats, or booleans as 0/1) and shape.</summary>
    private static List<(float[] Values, long[] Shape)> Run(byte[] model, float[] raw, params string[] outputs)
    {
        using var session = OnnxTestSupport.Session(model);
        using var input = OrtValue.CreateTensorValueFromMemory(raw, new long[] { Rows, Width });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "Features" }, new[] { input }, outputs);
        return results.Select(r => (r.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool
            ? r.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? 1f : 0f).ToArray()
            : r.GetTensorDataAsSpan<float>().ToArray(), r.GetTensorTypeAndShape().Shape)).ToList();
    }

    [Fact]
    public void BinaryHeadGivesTheRawLogitItsSigmoidAndItsSignOnRawFeatures()
    {
        var (raw, scaling, standardised) = Table();
        using var network = NetworkBuilder.Build(NetworkArchitecture.Mlp(8).Define(Width, null, 1), seed: 4);
        var logits = Logits(network, standardised);
        var model = OnnxExporter.Export(network, new OnnxExportOptions { Task = PredictionTask.Binary, InputStandardization = scaling });

        var outputs = Run(model, raw, "Score", "Probability", "PredictedLabel");
        var score = outputs[0].Values;
        var probability = outputs[1].Values;
        var label = outputs[2].Values.Select(v => v == 1f).ToArray();
        Assert.Equal(new long[] { Rows, 1 }, outputs[0].Shape);
        Assert.Equal(new long[] { Rows, 1 }, outputs[2].Shape);
        Assert.True(OnnxTestSupport.MaxAbsDifference(logits, score) < 1e-4f, $"score differs by {OnnxTestSupport.MaxAbsDifference(logits, score)}");
        Assert.True(OnnxTestSupport.MaxAbsDifference(logits.Select(l => 1 / (1 + MathF.Exp(-l))).ToArray(), probability) < 1e-5f);
        Assert.Equal(logits.Select(l => l > 0), label);
        Assert.Contains(true, label);
        Assert.Contains(false, label);

        // Without the standardisation step the raw rows give other scores: the step is what makes raw features work.
        var unscaled = OnnxExporter.Export(network, new OnnxExportOptions { Task = PredictionTask.Binary });
        var wrong = Run(unscaled, raw, "Score");
        Assert.True(OnnxTestSupport.MaxAbsDifference(logits, wrong[0].Values) > 0.1f);
    }

    [Fact]
    public void RegressionHeadGivesTheValueOnTheTargetsScaleOnRawFeatures()
    {
        var (raw, scaling, standardised) = Table();
        var targets = new Standardization(new[] { 150f }, new[] { 40f });
        using var network = NetworkBuilder.Build(NetworkArchitecture.Mlp(8).Define(Width, null, 1), seed: 5);
        var values = Logits(network, standardised).Select(v => v * 40f + 150f).ToArray();
        var model = OnnxExporter.Export(network, new OnnxExportOptions { Task = PredictionTask.Regression, InputStandardization = scaling, OutputStandardization = targets });

        var score = Run(model, raw, "Score")[0].Values;
        Assert.True(OnnxTestSupport.MaxAbsDifference(values, score) < 1e-3f, $"score differs by {OnnxTestSupport.MaxAbsDifference(values, score)}");
        var graph = Microsoft.ML.Pruning.Onnx.Proto.ModelProto.Parser.ParseFrom(model).Graph;
        Assert.Equal(new[] { "Score" }, graph.Output.Select(o => o.Name));
        Assert.Equal("Sub", graph.Node[0].OpType);
        Assert.Equal("Div", graph.Node[1].OpType);
        Assert.Equal(new[] { "Mul", "Add" }, graph.Node.TakeLast(2).Select(n => n.OpType));
    }
}

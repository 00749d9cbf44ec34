using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>The committed PyTorch models, seeded inputs, and scoring with ONNX Runtime and with the imported network.</summary>
internal static class ImportTestSupport
{
    /// <summary>The models made by TestModels/make_models.py: file, input shape after the batch dimension.</summary>
    public static TheoryData<string> PyTorchModels => new() { "mlp.onnx", "cnn_bn.onnx", "resnet.onnx" };

    public static string ModelPath(string file) => Path.Combine(AppContext.BaseDirectory, "TestModels", file);

    public static byte[] ModelBytes(string file) => File.ReadAllBytes(ModelPath(file));

    /// <summary>Seeded rows uniform in [0, 1) (like scaled pixels), row-major [rows, features].</summary>
    public static float[] Rows(int rows, int features, long seed = 5)
    {
        var random = new Random((int)seed);
        return Enumerable.Range(0, rows * features).Select(_ => (float)random.NextDouble()).ToArray();
    }

    /// <summary>Runs an ONNX model on one input with ONNX Runtime (one thread) and returns its only (or named) output.</summary>
    public static (float[] Values, long[] Shape) RunOnnx(byte[] model, string input, float[] values, long[] shape, string? output = null)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var tensor = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        string name = output ?? session.OutputNames[0];
        using var outputs = session.Run(runOptions, new[] { input }, new[] { tensor }, new[] { name });
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>The imported network's outputs in evaluation mode, with the model's final activation applied, so they
    /// compare with the model's own output.</summary>
    public static float[] ImportedOutputs(OnnxModelSource source, float[] rows, int count)
    {
        using var network = source.Build(seed: 0);
        return ImportedOutputs(network, rows, count);
    }

    public static float[] ImportedOutputs(Microsoft.ML.Pruning.Networks.PrunableNetwork network, float[] rows, int count)
    {
        var source = (OnnxModelSource)network.Source;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var logits = network.call(torch.tensor(rows, new long[] { count, source.InputFeatures }));
        var output = source.FinalActivation switch
        {
            "Softmax" => nn.functional.softmax(logits, 1),
            "LogSoftmax" => nn.functional.log_softmax(logits, 1),
            _ => logits,
        };
        return output.data<float>().ToArray();
    }

    /// <summary>The model input's full shape for <paramref name="rows"/> rows.</summary>
    public static long[] InputShape(OnnxModelSource source, int rows) => source.InputShape.Prepend(rows).ToArray();

    /// <summary>The largest difference relative to max(1, |expected|): float rounding of large values (log-probabilities
    /// of unlikely classes reach -30) stays within a tolerance meant for values near 1.</summary>
    public static float MaxRelativeDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]) / Math.Max(1f, Math.Abs(expected[i])));
        }

        return max;
    }

    public static float MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}

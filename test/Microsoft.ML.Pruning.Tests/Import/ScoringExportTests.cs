using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Onnx;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>The standard scoring interface of an imported network: flat Features in, Score and PredictedLabel out,
/// the probabilities the original model gives.</summary>
public sealed class ScoringExportTests
{
    public ScoringExportTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string> Models => ImportTestSupport.PyTorchModels;

    [Theory]
    [MemberData(nameof(Models))]
    public void Scores_AreTheOriginalModelsProbabilities(string file)
    {
        var original = ImportTestSupport.ModelBytes(file);
        var source = OnnxModelSource.FromBytes(original, file);
        using var network = source.Build(seed: 0);
        var scoring = OnnxExporter.ExportForScoring(network);
        const int rows = 23;
        var input = ImportTestSupport.Rows(rows, source.InputFeatures);
        var (raw, _) = ImportTestSupport.RunOnnx(original, source.InputName, input, ImportTestSupport.InputShape(source, rows));
        var expected = source.FinalActivation switch
        {
            "Softmax" => raw,
            "LogSoftmax" => raw.Select(MathF.Exp).ToArray(),
            _ => Softmax(raw, 10),
        };

        using var session = OnnxTestSupport.Session(scoring);
        Assert.Equal(new[] { "Features" }, session.InputNames);
        Assert.Equal(new[] { "Score", "PredictedLabel" }, session.OutputNames);
        var (scores, labels, shape) = OnnxTestSupport.Run(session, input, rows, source.InputFeatures);
        Assert.Equal(new long[] { rows, 10 }, shape);
        Assert.True(ImportTestSupport.MaxAbsDifference(expected, scores) < 1e-5f, $"{file}: {ImportTestSupport.MaxAbsDifference(expected, scores)}");
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(OnnxTestSupport.ArgMax(scores, r, 10), labels[r]);
        }
    }

    private static float[] Softmax(float[] logits, int width)
    {
        var result = new float[logits.Length];
        for (int r = 0; r < logits.Length / width; r++)
        {
            var row = logits.AsSpan(r * width, width);
            float max = row.ToArray().Max();
            float sum = 0;
            for (int j = 0; j < width; j++)
            {
                sum += result[r * width + j] = MathF.Exp(row[j] - max);
            }

            for (int j = 0; j < width; j++)
            {
                result[r * width + j] /= sum;
            }
        }

        return result;
    }
}

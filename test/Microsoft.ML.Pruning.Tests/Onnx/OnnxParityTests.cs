using System.Diagnostics;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tests.Networks;
using Xunit.Abstractions;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// ONNX Runtime scores the exported file as TorchSharp scores the network (evaluation mode + softmax): every built-in
/// architecture, dense and 90% pruned, batches of 1 and 37, dense and sparse storage.
/// </summary>
public sealed class OnnxParityTests
{
    private const float Tolerance = 1e-4f;
    private const int Classes = 10;
    private readonly ITestOutputHelper _output;

    public OnnxParityTests(ITestOutputHelper output)
    {
        _output = output;
        NetworkTestCases.EnsureTorch();
    }

    /// <summary>(architecture, image shape or "" for flat input, features).</summary>
    public static TheoryData<string, string, int> Networks => new()
    {
        { "lenet300", "", 784 },
        { "mlp:32,16", "", 784 },
        { "lenet5", "1,28,28", 784 },
        { "lenet5", "3,32,32", 3072 },
        { "conv2", "3,32,32", 3072 },
        { "conv4", "3,32,32", 3072 },
        { "conv6", "3,32,32", 3072 },
        { "vgg11", "3,32,32", 3072 },
        { "vgg16", "3,32,32", 3072 },
        { "resnet20", "3,32,32", 3072 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void OnnxRuntimeScores_MatchTorchSharp_DenseAndPruned(string architecture, string shape, int features)
    {
        var clock = Stopwatch.StartNew();
        var definition = NetworkTestCases.Define(architecture, shape, features, Classes);
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 11);
        var input = OnnxTestSupport.Features(37, features);
        OnnxTestSupport.Sharpen(network, input, 37);

        var exportClock = Stopwatch.StartNew();
        var dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        exportClock.Stop();
        var expected = TorchOutputs(network, input);
        float denseError = CheckParity(network.Source.Name, expected, Score(dense, input, features));

        OnnxTestSupport.Prune(network, 0.9);
        OnnxTestSupport.Sharpen(network, input, 37);
        exportClock.Start();
        var prunedDense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        var prunedSparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
        exportClock.Stop();
        expected = TorchOutputs(network, input);
        var fromDense = Score(prunedDense, input, features);
        var fromSparse = Score(prunedSparse, input, features);
        float prunedError = CheckParity(network.Source.Name, expected, fromDense);
        float sparseError = CheckParity(network.Source.Name, expected, fromSparse);
        foreach (int batch in Batches)
        {
            // Same weights once ONNX Runtime has made the sparse constants dense: bit-identical outputs.
            Assert.Equal(fromDense[batch].Scores, fromSparse[batch].Scores);
            Assert.Equal(fromDense[batch].Labels, fromSparse[batch].Labels);
        }

        _output.WriteLine(
            $"{architecture} {(shape.Length == 0 ? "flat" : shape)}: max |score error| dense {denseError:E2}, pruned {prunedError:E2}, " +
            $"pruned sparse {sparseError:E2}; mean top score {expected[37].Average(r => r.Max()):F3}; bytes dense {dense.Length:N0}, pruned dense " +
            $"{prunedDense.Length:N0}, pruned sparse {prunedSparse.Length:N0} ({(double)prunedSparse.Length / prunedDense.Length:F3}x); " +
            $"{clock.Elapsed.TotalSeconds:F1} s in all, {exportClock.Elapsed.TotalSeconds:F1} s of it exporting 3 files");
    }

    [Fact]
    public void EveryLayerKind_IncludingBatchNorm1d_AveragePooling_Dropout_AndFlatResidualBlocks_MatchesTorchSharp()
    {
        var definition = OnnxTestNetworks.EveryLayerKind();
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 5);
        var input = OnnxTestSupport.Features(37, definition.InputFeatures);
        OnnxTestSupport.Sharpen(network, input, 37);
        float error = CheckParity(definition.Name, TorchOutputs(network, input), Score(OnnxExporter.Export(network), input, definition.InputFeatures));

        OnnxTestSupport.Prune(network, 0.9);
        OnnxTestSupport.Sharpen(network, input, 37);
        var sparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
        float sparseError = CheckParity(definition.Name, TorchOutputs(network, input), Score(sparse, input, definition.InputFeatures));
        _output.WriteLine($"every layer kind: max |score error| dense {error:E2}, pruned sparse {sparseError:E2}");
    }

    private static readonly int[] Batches = { 1, 37 };

    /// <summary>TorchSharp's softmax scores for batch 1 (the first row) and batch 37, one array per row.</summary>
    private static Dictionary<int, float[][]> TorchOutputs(PrunableNetwork network, float[] rows)
    {
        int features = network.Source.InputFeatures;
        return Batches.ToDictionary(b => b, b => Rows(OnnxTestSupport.TorchScores(network, rows.AsSpan(0, b * features).ToArray(), b), b));
    }

    /// <summary>ONNX Runtime's outputs for batch 1 (the first row) and batch 37.</summary>
    private static Dictionary<int, (float[] Scores, long[] Labels)> Score(byte[] model, float[] rows, int features)
    {
        using var session = OnnxTestSupport.Session(model);
        return Batches.ToDictionary(b => b, b =>
        {
            var (scores, labels, shape) = OnnxTestSupport.Run(session, rows.AsSpan(0, b * features).ToArray(), b, features);
            Assert.Equal(new long[] { b, Classes }, shape);
            return (scores, labels);
        });
    }

    /// <summary>Checks scores within the tolerance and labels; returns the largest score difference seen.</summary>
    private static float CheckParity(string network, Dictionary<int, float[][]> expected, Dictionary<int, (float[] Scores, long[] Labels)> actual)
    {
        float worst = 0;
        foreach (int batch in Batches)
        {
            var (scores, labels) = actual[batch];
            var want = expected[batch].SelectMany(r => r).ToArray();
            float error = OnnxTestSupport.MaxAbsDifference(want, scores);
            Assert.True(error <= Tolerance, $"{network}, batch {batch}: max |score difference| {error:E2} > {Tolerance:E0}.");
            Assert.Equal(batch, labels.Length);
            for (int row = 0; row < batch; row++)
            {
                // PredictedLabel is the argmax of the file's own Score, always; it matches TorchSharp's argmax unless the
                // top two scores are closer than the tolerance (then float rounding may pick either).
                Assert.Equal(OnnxTestSupport.ArgMax(scores, row, Classes), labels[row]);
                if (OnnxTestSupport.TopGap(want, row, Classes) > 2 * Tolerance)
                {
                    Assert.Equal(OnnxTestSupport.ArgMax(want, row, Classes), labels[row]);
                }
            }

            worst = Math.Max(worst, error);
            if (batch > 1)
            {
                // A check of the test itself: scores near 1/classes would make the tolerance and the argmax checks toothless.
                Assert.True(expected[batch].Average(r => r.Max()) > 0.3, $"{network}: scores too flat for a meaningful comparison.");
            }
        }

        return worst;
    }

    private static float[][] Rows(float[] values, int batch) =>
        Enumerable.Range(0, batch).Select(r => values.AsSpan(r * Classes, Classes).ToArray()).ToArray();
}

using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// <see cref="OnnxModelMeasurement"/>: MACs from the shapes flowing through a graph (exact, on graphs with known
/// arithmetic, PyTorch's dynamic flatten included), the structure of the latency and memory figures, interleaving with
/// a baseline, and refusals. No assertion on how fast anything is: timings belong to benchmarks.
/// </summary>
public sealed class OnnxModelMeasurementTests
{
    /// <summary>Few runs, no time budget: the structure is under test, not the figures.</summary>
    private static readonly OnnxMeasurementOptions Quick = new() { MinRuns = 4, SecondsPerBatch = 0, WarmupRuns = 1, MemoryRuns = 1 };

    public OnnxModelMeasurementTests() => NetworkTestCases.EnsureTorch();

    [Theory]
    [InlineData(OnnxStorage.Dense)]
    [InlineData(OnnxStorage.Sparse)]
    public void Macs_OfEveryMatrixOperator_ComeFromTheShapesFlowingThroughTheGraph(OnnxStorage storage)
    {
        var bytes = OnnxTestGraphs.ConvFlattenGemm(storage);

        var figures = OnnxModelMeasurement.Measure(bytes, "cnn.onnx", options: Quick).Model;

        Assert.Equal(1, figures.ShapeBatch);
        Assert.Equal(new[] { "conv", "fc", "head" }, figures.Operators.Select(o => o.Node));
        Assert.Equal(new[] { "Conv", "Gemm", "MatMul" }, figures.Operators.Select(o => o.OpType));
        Assert.Equal(new[] { new long[] { 1, 2, 4, 4 }, new long[] { 1, 3 }, new long[] { 1, 2 } }, figures.Operators.Select(o => o.OutputShape.ToArray()));
        Assert.Equal(new long[] { 288, 96, 6 }, figures.Operators.Select(o => o.Macs)); // 2·4·4 outputs × 1·3·3, 3 × 32, 2 × 3
        Assert.Equal(new long[] { 96, 24, 6 }, figures.Operators.Select(o => o.EffectiveMacs)); // × 6/18, × 24/96, × 6/6
        Assert.Equal(new[] { "conv.weight", "fc.weight", "head.weight" }, figures.Operators.Select(o => o.Weight));
        Assert.Equal(390, figures.Macs);
        Assert.Equal(780, figures.Flops);
        Assert.Equal(126, figures.EffectiveMacs);
        Assert.Equal(18 + 96 + 6, figures.Weights);
        Assert.Equal(6 + 24 + 6, figures.NonZeroWeights);
        Assert.Equal(bytes.LongLength, figures.FileBytes);
    }

    [Fact]
    public void Latency_AtEachBatchSize_IsOrderedStatisticsOfTheTimedRuns_AndMemoryIsMeasuredWhereItCanBe()
    {
        var measurement = OnnxModelMeasurement.Measure(OnnxTestGraphs.ConvFlattenGemm(OnnxStorage.Sparse), "cnn.onnx",
            options: Quick with { BatchSizes = new[] { 1, 5, 64 } });

        Assert.Null(measurement.Baseline);
        Assert.Empty(measurement.LatencyRatios);
        Assert.Empty(measurement.Notes);
        Assert.StartsWith("ONNX Runtime 1.", measurement.Runtime, StringComparison.Ordinal);
        Assert.Equal(new[] { 1, 5, 64 }, measurement.Model.Latency.Select(l => l.Batch));
        foreach (var latency in measurement.Model.Latency)
        {
            Assert.Equal(Quick.MinRuns, latency.Runs); // no time budget: exactly the minimum
            Assert.True(latency.MinMs > 0 && latency.MinMs <= latency.P25Ms && latency.P25Ms <= latency.MedianMs
                && latency.MedianMs <= latency.P75Ms && latency.P75Ms <= latency.MaxMs, $"batch {latency.Batch}: {latency}");
            Assert.Equal(latency.Batch * 1000 / latency.MedianMs, latency.RowsPerSecond, 6);
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(measurement.Model.PeakMemoryBytes); // its size: OnnxPeakMemoryTests
            Assert.Contains("VmHWM", measurement.MemoryMethod, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(measurement.Model.PeakMemoryBytes);
        }
    }

    [Fact]
    public void Baseline_IsTimedInterleaved_RunForRun_AndEveryRatioIsGiven()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4);
        var dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        OnnxTestSupport.Prune(network, 0.9);
        var pruned = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });

        var m = OnnxModelMeasurement.Measure(pruned, "pruned.onnx", dense, "dense.onnx", Quick with { MinRuns = 7 });

        Assert.Equal("pruned.onnx", m.Model.Name);
        Assert.Equal("dense.onnx", m.Baseline!.Name);
        Assert.Equal(new[] { 1, 64 }, m.LatencyRatios.Select(r => r.Batch));
        foreach (var ratio in m.LatencyRatios)
        {
            Assert.Equal(7, ratio.Pairs);
            Assert.Equal(7, m.Model.Latency.Single(l => l.Batch == ratio.Batch).Runs);
            Assert.Equal(7, m.Baseline.Latency.Single(l => l.Batch == ratio.Batch).Runs);
            Assert.True(ratio.P25 > 0 && ratio.P25 <= ratio.Median && ratio.Median <= ratio.P75, ratio.ToString());
        }

        // Weight pruning leaves the graph's shapes alone: same MACs executed, a tenth of them with a non-zero weight.
        Assert.Equal(266_200, m.Model.Macs);
        Assert.Equal(1.0, m.MacsRatio);
        Assert.Equal((double)m.Model.NonZeroWeights / m.Baseline.NonZeroWeights, m.EffectiveMacsRatio!.Value, 12);
        Assert.InRange(m.EffectiveMacsRatio!.Value, 0.099, 0.101);
        Assert.Equal((double)pruned.Length / dense.Length, m.FileBytesRatio);
        Assert.Equal(m.Model.Operators.Select(o => o.Macs), m.Baseline.Operators.Select(o => o.Macs));
    }

    [Fact]
    public void AModelThatFixesItsBatch_IsTimedAtThatBatchOnly_WithANote()
    {
        var m = OnnxModelMeasurement.Measure(OnnxTestGraphs.ConvFlattenGemm(OnnxStorage.Dense, batch: 1), "fixed.onnx", options: Quick);

        Assert.Equal(new[] { 1 }, m.Model.Latency.Select(l => l.Batch));
        Assert.Contains(m.Notes, n => n.Contains("batch 64", StringComparison.Ordinal) && n.Contains("fixes the batch dimension to 1", StringComparison.Ordinal));
        Assert.Equal(390, m.Model.Macs);
    }

    [Fact]
    public void BadModels_AndBadOptions_AreRefusedNamingWhatIsWrong()
    {
        using var dir = new TempDirectory();
        string text = dir.File("notes.onnx");
        File.WriteAllText(text, "not a model at all");

        var notOnnx = Assert.Throws<InvalidDataException>(() => OnnxModelMeasurement.Measure(text, options: Quick));
        Assert.Contains(text, notOnnx.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => OnnxModelMeasurement.Measure(dir.File("missing.onnx"), options: Quick));
        var badBaseline = Assert.Throws<InvalidDataException>(() => OnnxModelMeasurement.Measure(OnnxTestGraphs.WideGemm(4), "m.onnx", new byte[] { 1, 2, 3 }, "b.onnx", Quick));
        Assert.Contains("b.onnx", badBaseline.Message, StringComparison.Ordinal);

        var symbolic = Assert.Throws<InvalidDataException>(() => OnnxModelMeasurement.Measure(OnnxTestGraphs.SymbolicSpatialInput(), "s.onnx", options: Quick));
        Assert.Contains("input 'x'", symbolic.Message, StringComparison.Ordinal);
        Assert.Contains("'H'", symbolic.Message, StringComparison.Ordinal);

        var options = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModelMeasurement.Measure(OnnxTestGraphs.WideGemm(4), "m.onnx", options: Quick with { BatchSizes = new[] { 0 } }));
        Assert.Equal(nameof(OnnxMeasurementOptions.BatchSizes), options.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModelMeasurement.Measure(OnnxTestGraphs.WideGemm(4), "m.onnx", options: Quick with { MinRuns = 0 }));
    }
}

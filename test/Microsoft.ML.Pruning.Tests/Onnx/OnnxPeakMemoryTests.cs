using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary><see cref="OnnxModelMeasurement"/>'s session peak memory, measured with no other test running beside it.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class OnnxPeakMemoryTests
{
    [Fact]
    public void PeakMemory_CountsTheWeightsTheSessionHolds()
    {
        const int Width = 1024; // a 4 MiB weight
        var options = new OnnxMeasurementOptions { MinRuns = 4, SecondsPerBatch = 0, WarmupRuns = 1, MemoryRuns = 3, BatchSizes = new[] { 1 } };

        var measurement = OnnxModelMeasurement.Measure(OnnxTestGraphs.WideGemm(Width), "wide.onnx", options: options);

        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(measurement.Model.PeakMemoryBytes); // measured on Linux only, and said so
            return;
        }

        Assert.InRange(measurement.Model.PeakMemoryBytes!.Value, Width * Width * sizeof(float), 64L << 20);
    }
}

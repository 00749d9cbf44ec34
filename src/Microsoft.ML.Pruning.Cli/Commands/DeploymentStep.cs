using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>
/// The deployment figures of <c>prune</c> and <c>bench</c>: the exported model measured with ONNX Runtime against its
/// dense counterpart, the same network unpruned, exported dense.
/// </summary>
internal static class DeploymentStep
{
    /// <summary>What the dense counterpart is called in the figures.</summary>
    public const string DenseName = "dense counterpart";

    /// <summary>
    /// The dense counterpart of a run on <paramref name="source"/>, as ONNX bytes: the network as
    /// <see cref="INetworkSource.Build"/> makes it (an imported model's own weights; a built-in's initialisation from the
    /// run's seed), every weight dense. For a built-in the weight values do not matter to what is measured: a dense graph
    /// of the same shapes runs the same kernels on the same number of values, and all of its weights are non-zero.
    /// </summary>
    public static byte[] DenseCounterpart(INetworkSource source, long seed)
    {
        using var network = source.Build(seed);
        network.eval();
        return OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
    }

    /// <summary>
    /// <paramref name="report"/> with the deployment figures of <paramref name="model"/> (model.onnx) against the dense
    /// counterpart. Measuring never costs a finished run its report: a model ONNX Runtime cannot measure becomes a
    /// warning of the report.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while measuring.</exception>
    public static PruningReport Attach(PruningReport report, byte[] model, Func<byte[]> dense, OnnxMeasurementOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return report with { Deployment = OnnxModelMeasurement.Measure(model, "model.onnx", dense(), DenseName, options, cancellationToken) };
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return report with { Warnings = report.Warnings.Append($"Deployment figures not measured: {e.Message}").ToList() };
        }
    }

    /// <summary>One line for the console: the ratios a user looks for first.</summary>
    public static string Summary(DeploymentMeasurement d)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        // The quartiles go with the median: a handful of interleaved pairs on a busy machine can be far off.
        string latency = string.Join(", ", d.LatencyRatios.Select(r => string.Create(c, $"{r.Median:F2}x [{r.P25:F2}-{r.P75:F2}] at batch {r.Batch}")));
        string memory = d.PeakMemoryRatio is { } m ? string.Create(c, $", session memory {m:F2}x") : "";
        string macs = d.EffectiveMacsRatio is { } e ? string.Create(c, $", MACs {d.MacsRatio:F2}x ({e:F2}x with a non-zero weight)") : "";
        return string.Create(c, $"deployment against the {DenseName} ({d.Runtime}): latency {(latency.Length > 0 ? latency : "not timed")}{memory}, file {d.FileBytesRatio:F2}x{macs}");
    }
}

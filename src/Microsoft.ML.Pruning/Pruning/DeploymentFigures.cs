namespace Microsoft.ML.Pruning.Pruning;

/// <summary>What one ONNX model costs where it is deployed: file bytes, arithmetic, ONNX Runtime latency and memory.</summary>
public sealed record DeploymentFigures
{
    /// <summary>The model: a file path or a label (e.g. "dense counterpart").</summary>
    public string Name { get; init; } = "";

    /// <summary>Bytes of the serialised model.</summary>
    public long FileBytes { get; init; }

    /// <summary>Entries of the Linear/Conv weights (<c>Gemm</c>, <c>MatMul</c>, <c>Conv</c> weights stored in the file).</summary>
    public long Weights { get; init; }

    /// <summary>Non-zero entries of those weights.</summary>
    public long NonZeroWeights { get; init; }

    /// <summary>The batch size the shapes were taken at for <see cref="Macs"/> (1 unless the model fixes another).</summary>
    public int ShapeBatch { get; init; }

    /// <summary>Multiply-accumulates of the matrix operators for one run at <see cref="ShapeBatch"/>, zeros included;
    /// null when the shapes could not be taken (see <see cref="DeploymentMeasurement.Notes"/>).</summary>
    public long? Macs { get; init; }

    /// <summary>Multiply-accumulates with a non-zero weight (what a kernel that skipped zeros would do).</summary>
    public long? EffectiveMacs { get; init; }

    /// <summary>Floating-point operations of the matrix operators: 2 × <see cref="Macs"/> (a multiply and an add each).</summary>
    public long? Flops => Macs * 2;

    /// <summary>Every matrix operator, in graph order.</summary>
    public IReadOnlyList<OperatorCost> Operators { get; init; } = Array.Empty<OperatorCost>();

    /// <summary>Latency per measured batch size.</summary>
    public IReadOnlyList<LatencyFigures> Latency { get; init; } = Array.Empty<LatencyFigures>();

    /// <summary>Peak growth of the process's resident memory while an ONNX Runtime session is created from the model and
    /// runs once at each batch size; null where it cannot be measured (see <see cref="DeploymentMeasurement.MemoryMethod"/>).</summary>
    public long? PeakMemoryBytes { get; init; }
}

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The arithmetic of one matrix operator (<c>Gemm</c>, <c>MatMul</c>, <c>Conv</c>, <c>ConvTranspose</c>) of an
/// ONNX graph, from the shapes that flow through it.</summary>
public sealed record OperatorCost
{
    /// <summary>The node's name (or <c>#index</c> when it has none).</summary>
    public string Node { get; init; } = "";

    /// <summary>The node's op type.</summary>
    public string OpType { get; init; } = "";

    /// <summary>The shape of the node's output.</summary>
    public IReadOnlyList<long> OutputShape { get; init; } = Array.Empty<long>();

    /// <summary>The weight tensor stored in the file (initializer or Constant) that the node multiplies by, if any.</summary>
    public string? Weight { get; init; }

    /// <summary>Multiply-accumulates the operator performs, zeros included (what a dense kernel executes).</summary>
    public long Macs { get; init; }

    /// <summary>Multiply-accumulates with a non-zero weight: <see cref="Macs"/> times the weight's density (each weight entry
    /// takes part in equally many); equal to <see cref="Macs"/> when the weight is not stored in the file.</summary>
    public long EffectiveMacs { get; init; }
}

namespace Microsoft.ML.Pruning.Networks;

/// <summary>Dropout: in training mode zeroes each element with probability <see cref="P"/> and scales the rest by
/// <c>1/(1-P)</c>; in evaluation mode (and in the exported ONNX graph) the identity.</summary>
/// <param name="Name">The module name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="P">Drop probability, in <c>[0, 1)</c>.</param>
public sealed record DropoutLayer(string Name, double P) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => FormattableString.Invariant($"Dropout p={P}");
}

namespace Microsoft.ML.Pruning.Networks;

/// <summary>Flattens <c>[N, C, H, W]</c> to <c>[N, C*H*W]</c>, channel-major (PyTorch <c>flatten(1)</c>, ONNX <c>Flatten axis=1</c>).</summary>
/// <param name="Name">The layer name (see <see cref="LayerSpec.Name"/>).</param>
public sealed record FlattenLayer(string Name) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => "Flatten";
}

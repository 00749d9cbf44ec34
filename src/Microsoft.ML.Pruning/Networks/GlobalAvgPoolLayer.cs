namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// The mean of each channel over height and width: <c>[N, C, H, W] -> [N, C]</c> (already flat, so no
/// <see cref="FlattenLayer"/> follows it; in ONNX a <c>GlobalAveragePool</c> then a <c>Flatten</c>).
/// </summary>
/// <param name="Name">The layer name (see <see cref="LayerSpec.Name"/>).</param>
public sealed record GlobalAvgPoolLayer(string Name) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => "GlobalAvgPool";
}

namespace Microsoft.ML.Pruning.Networks;

/// <summary>Average pooling over square windows of <c>[N, C, H, W]</c>, no padding, rounding the output size down.</summary>
/// <param name="Name">The layer name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="KernelSize">Window height and width.</param>
/// <param name="Stride">Step between windows, both directions.</param>
public sealed record AvgPool2dLayer(string Name, int KernelSize, int Stride) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => $"AvgPool2d {KernelSize}x{KernelSize} stride {Stride}";
}

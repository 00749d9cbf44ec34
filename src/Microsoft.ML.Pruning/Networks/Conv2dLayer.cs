namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// A 2-D convolution with a square kernel on <c>[N, InChannels, H, W]</c>; its weight
/// <c>[OutChannels, InChannels, KernelSize, KernelSize]</c> is prunable. Zero padding on all four sides, no dilation,
/// no groups.
/// </summary>
/// <param name="Name">The module name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="InChannels">Number of input channels.</param>
/// <param name="OutChannels">Number of output channels (filters).</param>
/// <param name="KernelSize">Kernel height and width.</param>
/// <param name="Stride">Step between kernel positions, both directions.</param>
/// <param name="Padding">Zero padding added to each side, both directions.</param>
/// <param name="Bias">Whether the layer adds a per-channel bias (never pruned); off when a BatchNorm follows.</param>
public sealed record Conv2dLayer(string Name, int InChannels, int OutChannels, int KernelSize, int Stride = 1, int Padding = 0, bool Bias = true)
    : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() =>
        $"Conv2d {InChannels}->{OutChannels} {KernelSize}x{KernelSize} stride {Stride} pad {Padding}{(Bias ? "" : " (no bias)")}";
}

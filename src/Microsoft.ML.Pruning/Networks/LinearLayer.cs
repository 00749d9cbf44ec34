namespace Microsoft.ML.Pruning.Networks;

/// <summary>A fully connected layer <c>y = x W^T + b</c> on flat input <c>[N, InFeatures]</c>; its weight <c>[OutFeatures, InFeatures]</c> is prunable.</summary>
/// <param name="Name">The module name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="InFeatures">Number of input features.</param>
/// <param name="OutFeatures">Number of output features.</param>
/// <param name="Bias">Whether the layer adds a bias (never pruned).</param>
public sealed record LinearLayer(string Name, int InFeatures, int OutFeatures, bool Bias = true) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => $"Linear {InFeatures}->{OutFeatures}{(Bias ? "" : " (no bias)")}";
}

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// Batch normalisation: per channel (<see cref="Spatial"/>, BatchNorm2d on <c>[N, C, H, W]</c>) or per feature
/// (BatchNorm1d on <c>[N, F]</c>). Its affine weight and bias are trained but never pruned; its running mean and
/// variance are buffers (state keys <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>).
/// </summary>
/// <param name="Name">The module name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="Features">Number of channels (spatial) or features (flat).</param>
/// <param name="Spatial">True for BatchNorm2d on images, false for BatchNorm1d on flat vectors.</param>
/// <param name="Epsilon">Added to the variance before the square root (PyTorch default 1e-5; ONNX <c>epsilon</c>).</param>
/// <param name="Momentum">Weight of the current batch in the running statistics (PyTorch convention, default 0.1).</param>
public sealed record BatchNormLayer(string Name, int Features, bool Spatial, double Epsilon = 1e-5, double Momentum = 0.1) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => $"BatchNorm{(Spatial ? "2d" : "1d")} {Features}";
}

using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// Unfolds flat rows <c>[N, F]</c> into images <c>[N, C, H, W]</c> (channel-major, like <see cref="ImageShape"/>).
/// The first layer of every convolutional network, because a network's input is always the flat float matrix
/// <c>[N, F]</c> (the ONNX graph input <c>Features</c>).
/// </summary>
/// <param name="Name">The layer name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="Shape">The image layout; <c>Shape.Size</c> must equal the incoming feature count.</param>
public sealed record ReshapeLayer(string Name, ImageShape Shape) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => $"Reshape to {Shape}";
}

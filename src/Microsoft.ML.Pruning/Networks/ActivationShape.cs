using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>The per-row shape of a tensor flowing between layers: flat features <c>[F]</c> or an image <c>[C, H, W]</c>.</summary>
internal readonly record struct ActivationShape(int Features, ImageShape? Image)
{
    public static ActivationShape Flat(int features) => new(features, null);

    public static ActivationShape Spatial(ImageShape image) => new(image.Size, image);

    public bool IsImage => Image is not null;

    public override string ToString() => Image is { } image ? $"image {image}" : $"flat [{Features}]";
}

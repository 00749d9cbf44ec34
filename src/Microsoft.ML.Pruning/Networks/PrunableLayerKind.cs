namespace Microsoft.ML.Pruning.Networks;

/// <summary>The kinds of layer whose weights are pruned.</summary>
public enum PrunableLayerKind
{
    /// <summary>A <see cref="LinearLayer"/>; weight <c>[out, in]</c>.</summary>
    Linear,

    /// <summary>A <see cref="Conv2dLayer"/>; weight <c>[out, in, k, k]</c>.</summary>
    Conv2d,
}

namespace Microsoft.ML.Pruning.Networks;

/// <summary>The kinds of layer whose weights are pruned.</summary>
public enum PrunableLayerKind
{
    /// <summary>A <see cref="LinearLayer"/>, or an imported Gemm or MatMul node; weight <c>[out, in]</c>.</summary>
    Linear,

    /// <summary>A <see cref="Conv2dLayer"/>, or an imported 2-D Conv node; weight <c>[out, in/groups, kh, kw]</c>.</summary>
    Conv2d,
}

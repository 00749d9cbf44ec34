namespace Microsoft.ML.Pruning.Import;

/// <summary>What an imported constant tensor becomes in the executing network.</summary>
internal enum ImportedTensorRole
{
    /// <summary>The weight of a Gemm, MatMul or Conv node: a parameter, masked and pruned, stored <c>[out, in(, kh, kw)]</c>.</summary>
    PrunableWeight,

    /// <summary>A bias or a batch-norm scale or shift: a parameter, trained, never pruned.</summary>
    Parameter,

    /// <summary>A batch-norm running mean or variance: a buffer, updated from batch statistics in training mode.</summary>
    Statistic,

    /// <summary>Any other float constant: a buffer that moves with the network, neither trained nor saved in its state.</summary>
    Constant,
}

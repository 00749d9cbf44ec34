namespace Microsoft.ML.Pruning.Stopping;

/// <summary>Which flow ICP compares with the dense network's. Both: stop only when both are consistent.</summary>
[Flags]
public enum FlowKind
{
    /// <summary>Information flow: mean standardised correlation between consecutive prunable layers' outputs.</summary>
    Information = 1,

    /// <summary>Gradient flow: per prunable layer, the mean of the masked weight gradient's magnitude.</summary>
    Gradient = 2,
}

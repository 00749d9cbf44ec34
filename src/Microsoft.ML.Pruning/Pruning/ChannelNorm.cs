namespace Microsoft.ML.Pruning.Pruning;

/// <summary>How channel pruning scores a channel from the weights that produce it.</summary>
public enum ChannelNorm
{
    /// <summary>The L1 norm (sum of <c>|w|</c>) of the channel's incoming weights, per weight: the usual filter-pruning
    /// criterion (Li et al., "Pruning Filters for Efficient ConvNets").</summary>
    L1,

    /// <summary>The L2 norm of the channel's incoming weights, per square root of their count.</summary>
    L2,
}

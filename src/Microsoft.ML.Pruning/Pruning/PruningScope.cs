namespace Microsoft.ML.Pruning.Pruning;

/// <summary>How the magnitude threshold is chosen.</summary>
public enum PruningScope
{
    /// <summary>Each layer on its own: every layer loses the same fraction of its surviving weights.</summary>
    Layerwise,

    /// <summary>One threshold over all layers: the smallest weights go, wherever they are.</summary>
    Global,
}

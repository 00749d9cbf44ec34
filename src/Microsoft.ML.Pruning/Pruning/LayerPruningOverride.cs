namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A per-layer exception to the pruning rate: leave a layer out, or prune it at its own rate.</summary>
/// <param name="LayerName">The prunable layer's name (e.g. <c>fc3</c>).</param>
/// <param name="Exclude">True to never prune this layer.</param>
/// <param name="RateFactor">Multiplier of the round's rate for this layer, in (0, 1] (0.5 = half rate, as the lottery-ticket paper
/// prunes the output layer). Ignored when <paramref name="Exclude"/> is true.</param>
public sealed record LayerPruningOverride(string LayerName, bool Exclude = false, double RateFactor = 1.0)
{
    /// <summary>Never prune <paramref name="layerName"/>.</summary>
    public static LayerPruningOverride Excluded(string layerName) => new(layerName, Exclude: true);

    /// <summary>Prune <paramref name="layerName"/> at <paramref name="factor"/> times the round's rate.</summary>
    public static LayerPruningOverride Scaled(string layerName, double factor) => new(layerName, RateFactor: factor);
}

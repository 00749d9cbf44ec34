namespace Microsoft.ML.Pruning.Pruning;

/// <summary>What one pruning step did.</summary>
/// <param name="Removed">Weights newly pruned by this step.</param>
/// <param name="LayerRates">The rate applied to each layer, by name (0 for excluded layers).</param>
/// <param name="Exhausted">Layers that reached their floor in this step (one weight, or one channel, left) and are no
/// longer pruned.</param>
public sealed record PruneStepResult(long Removed, IReadOnlyDictionary<string, double> LayerRates, IReadOnlyList<string> Exhausted);

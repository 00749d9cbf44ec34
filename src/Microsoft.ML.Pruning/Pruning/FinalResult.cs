namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The figures of the network a run ends with.</summary>
/// <param name="Sparsity">Fraction of prunable weights that are zero.</param>
/// <param name="ValAccuracy">Validation accuracy.</param>
/// <param name="TestAccuracy">Test accuracy.</param>
public sealed record FinalResult(double Sparsity, double ValAccuracy, double TestAccuracy);

using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>The state of a round's retraining after an epoch.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="Epoch">Retraining epochs done in this round (1 after the first).</param>
/// <param name="ValAccuracy">Validation accuracy after this epoch.</param>
/// <param name="DenseValAccuracy">The dense network's validation accuracy.</param>
/// <param name="TrainLoss">Mean training loss of this epoch.</param>
/// <param name="Network">The pruned network being retrained.</param>
/// <param name="PrunedMasks">Per prunable layer (forward order), true where a weight is pruned; owned by the engine.</param>
public sealed record StoppingContext(int Round, int Epoch, double ValAccuracy, double DenseValAccuracy, double TrainLoss, PrunableNetwork Network,
    IReadOnlyList<TorchSharp.torch.Tensor>? PrunedMasks = null);

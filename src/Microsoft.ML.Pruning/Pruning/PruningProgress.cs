namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A progress report of an iterative-pruning run, sent after every epoch (and every few batches).</summary>
/// <param name="Phase">"dense", "round" or "fine-tune".</param>
/// <param name="Round">Current round (0 during dense training).</param>
/// <param name="Rounds">Rounds planned.</param>
/// <param name="Epoch">1-based epoch within the phase.</param>
/// <param name="Batch">Batches done in the epoch.</param>
/// <param name="BatchCount">Batches per epoch.</param>
/// <param name="Sparsity">Current overall sparsity.</param>
/// <param name="TrainLoss">Mean training loss so far in the epoch.</param>
/// <param name="ValAccuracy">Validation accuracy after the epoch (null mid-epoch).</param>
/// <param name="FlowDistance">Flow distance after the epoch, for policies that measure one.</param>
public sealed record PruningProgress(string Phase, int Round, int Rounds, int Epoch, int Batch, int BatchCount,
    double Sparsity, double TrainLoss, double? ValAccuracy, double? FlowDistance)
{
    /// <summary>True for the report sent when an epoch is complete.</summary>
    public bool EpochCompleted => ValAccuracy.HasValue;
}

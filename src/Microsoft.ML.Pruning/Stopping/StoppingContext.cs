using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>The state of a round's retraining at a check point.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="Epochs">Retraining done in this round, in epochs (rows trained on / training rows; 1.25 after an epoch and a quarter).</param>
/// <param name="Samples">Rows trained on in this round (a row seen twice counts twice).</param>
/// <param name="ValMetric">The task's validation metric now (higher is better; accuracy for classification).</param>
/// <param name="DenseValMetric">The dense network's validation metric.</param>
/// <param name="TrainLoss">Mean training loss since the previous check point.</param>
/// <param name="Network">The pruned network being retrained.</param>
/// <param name="PrunedMasks">Per prunable layer (forward order), true where a weight is pruned; owned by the engine.</param>
public sealed record StoppingContext(int Round, double Epochs, long Samples, double ValMetric, double DenseValMetric, double TrainLoss,
    PrunableNetwork Network, IReadOnlyList<TorchSharp.torch.Tensor>? PrunedMasks = null)
{
    /// <summary>True when the validation metric is back at (or above) the dense network's.</summary>
    public bool MetricRecovered => ValMetric >= DenseValMetric;
}

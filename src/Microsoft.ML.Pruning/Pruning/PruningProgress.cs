namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A progress report of an iterative-pruning run: every few batches, and at every check point (after each dense
/// or fine-tuning epoch, and at each decision of a round), where it carries the validation metric.</summary>
/// <param name="Phase">"dense", "round" or "fine-tune".</param>
/// <param name="Round">Current round (0 during dense training).</param>
/// <param name="Rounds">Rounds planned.</param>
/// <param name="Epoch">1-based epoch within the phase (the one running, or just finished).</param>
/// <param name="Batch">Batches done in the epoch.</param>
/// <param name="BatchCount">Batches per epoch.</param>
/// <param name="Sparsity">Current overall sparsity.</param>
/// <param name="TrainLoss">Mean training loss so far in the epoch (or since the last check point, at a check point).</param>
/// <param name="ValMetric">The task's validation metric at a check point (null in between).</param>
/// <param name="FlowDistance">Flow distance at a check point, for policies that measure one.</param>
public sealed record PruningProgress(string Phase, int Round, int Rounds, int Epoch, int Batch, int BatchCount,
    double Sparsity, double TrainLoss, double? ValMetric, double? FlowDistance)
{
    /// <summary>True for the report sent at a check point (with <see cref="ValMetric"/>).</summary>
    public bool IsCheck => ValMetric.HasValue;

    /// <summary>Training done in the phase so far, in epochs (fractional inside an epoch).</summary>
    public double Epochs { get; init; }

    /// <summary>The name of <see cref="ValMetric"/>: <c>accuracy</c> or <c>r2</c>.</summary>
    public string MetricName { get; init; } = "accuracy";
}

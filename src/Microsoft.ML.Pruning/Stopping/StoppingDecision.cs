namespace Microsoft.ML.Pruning.Stopping;

/// <summary>A stopping policy's answer after an epoch, with any flow measurement it made.</summary>
/// <param name="Stop">True to end the round's retraining.</param>
/// <param name="Reason">Which rule fired (empty when going on).</param>
/// <param name="FlowDistance">The flow distance measured after this epoch, if any.</param>
/// <param name="FlowSeconds">Wall time spent measuring flows for this decision.</param>
public readonly record struct StoppingDecision(bool Stop, string Reason, double? FlowDistance = null, double FlowSeconds = 0)
{
    /// <summary>Train on.</summary>
    public static StoppingDecision Continue { get; } = new(false, "");

    /// <summary>Stop, because of <paramref name="reason"/>.</summary>
    public static StoppingDecision StopBecause(string reason) => new(true, reason);
}

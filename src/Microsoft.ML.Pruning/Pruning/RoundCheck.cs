namespace Microsoft.ML.Pruning.Pruning;

/// <summary>One decision point of a round's retraining: where it was, what the policy saw.</summary>
/// <param name="Samples">Rows trained on in the round so far.</param>
/// <param name="Epochs">The same in epochs (rows / training rows).</param>
/// <param name="ValMetric">The task's validation metric at this point.</param>
/// <param name="ValLoss">The validation loss at this point.</param>
/// <param name="FlowDistance">The flow distance the policy measured, or null when it measured none.</param>
public sealed record RoundCheck(long Samples, double Epochs, double ValMetric, double ValLoss,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] double? FlowDistance);

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>What one pruning round did: prune, rewind, retrain until the stopping policy said stop, evaluate.</summary>
public sealed record RoundResult
{
    /// <summary>1-based round number.</summary>
    public int Round { get; init; }

    /// <summary>Fraction of prunable weights that are zero after this round's pruning step.</summary>
    public double Sparsity { get; init; }

    /// <summary>Sparsity of each prunable layer, by layer name.</summary>
    public IReadOnlyDictionary<string, double> LayerSparsity { get; init; } = new Dictionary<string, double>();

    /// <summary>Retraining this round, in epochs (rows trained on / training rows; fractional when a round stops inside an epoch).</summary>
    public double Epochs { get; init; }

    /// <summary>Rows trained on this round.</summary>
    public long Samples { get; init; }

    /// <summary>Which rule of the stopping policy ended retraining (e.g. "fixed-epochs", "accuracy-recovered", "flow-consistent", "max-epochs").</summary>
    public string StopReason { get; init; } = "";

    /// <summary>The task's validation metric at the end of the round (higher is better).</summary>
    public double ValMetric { get; init; }

    /// <summary>The task's test metric at the end of the round.</summary>
    public double TestMetric { get; init; }

    /// <summary>Validation accuracy at the end of the round (classification; null for regression).</summary>
    public double? ValAccuracy { get; init; }

    /// <summary>Test accuracy at the end of the round (classification; null for regression).</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Wall time of the round, flow computation included.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Wall time spent computing flow metrics this round (0 for policies that use none).</summary>
    public double FlowSeconds { get; init; }

    /// <summary>The last flow distance measured this round, or null for policies that use none (written as null: it is part of the report contract).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public double? FlowDistance { get; init; }

    /// <summary>Every decision point of the round's retraining, in order.</summary>
    public IReadOnlyList<RoundCheck> Checks { get; init; } = Array.Empty<RoundCheck>();

    /// <summary>Mean training loss of each epoch of the round (the last one partial when the round stopped inside it).</summary>
    public IReadOnlyList<double> Losses { get; init; } = Array.Empty<double>();
}

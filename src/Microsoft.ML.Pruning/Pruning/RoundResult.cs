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

    /// <summary>Retraining epochs this round.</summary>
    public int Epochs { get; init; }

    /// <summary>Which rule of the stopping policy ended retraining (e.g. "fixed-epochs", "accuracy-recovered", "flow-consistent", "max-epochs").</summary>
    public string StopReason { get; init; } = "";

    /// <summary>Validation accuracy at the end of the round.</summary>
    public double ValAccuracy { get; init; }

    /// <summary>Test accuracy at the end of the round.</summary>
    public double TestAccuracy { get; init; }

    /// <summary>Wall time of the round, flow computation included.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Wall time spent computing flow metrics this round (0 for policies that use none).</summary>
    public double FlowSeconds { get; init; }

    /// <summary>The last flow distance measured this round, or null for policies that use none (written as null: it is part of the report contract).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public double? FlowDistance { get; init; }

    /// <summary>Flow distance after each retraining epoch at which it was measured (empty for policies that use none).</summary>
    public IReadOnlyList<double> FlowDistances { get; init; } = Array.Empty<double>();
}

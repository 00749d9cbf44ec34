namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The figures of the network a run ends with.</summary>
public sealed record FinalResult
{
    /// <summary>Fraction of prunable weights that are zero.</summary>
    public double Sparsity { get; init; }

    /// <summary>The task's validation metric (higher is better).</summary>
    public double ValMetric { get; init; }

    /// <summary>The task's test metric.</summary>
    public double TestMetric { get; init; }

    /// <summary>Validation accuracy (classification; null for regression).</summary>
    public double? ValAccuracy { get; init; }

    /// <summary>Test accuracy (classification; null for regression).</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Test area under the ROC curve (binary classification only).</summary>
    public double? TestAuc { get; init; }
}

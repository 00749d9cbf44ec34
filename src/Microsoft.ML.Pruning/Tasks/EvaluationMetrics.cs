namespace Microsoft.ML.Pruning.Tasks;

/// <summary>How well a network does on a data set, in the terms of its task.</summary>
/// <param name="Loss">Mean loss (cross-entropy, binary cross-entropy or squared error).</param>
/// <param name="Metric">The task's metric, higher is better: accuracy for classification, R² for regression.</param>
/// <param name="Count">Rows evaluated.</param>
public sealed record EvaluationMetrics(double Loss, double Metric, long Count)
{
    /// <summary>Fraction of rows classified correctly; null for regression.</summary>
    public double? Accuracy { get; init; }

    /// <summary>Area under the ROC curve (binary classification only; null otherwise, or when one class is absent).</summary>
    public double? Auc { get; init; }
}

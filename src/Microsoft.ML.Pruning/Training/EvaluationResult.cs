namespace Microsoft.ML.Pruning.Training;

/// <summary>Loss and accuracy of a network on a data set (in evaluation mode).</summary>
/// <param name="Loss">Mean cross-entropy loss.</param>
/// <param name="Accuracy">Fraction of rows whose arg-max class equals the label.</param>
/// <param name="Count">Rows evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Count);

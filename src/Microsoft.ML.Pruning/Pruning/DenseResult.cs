namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The dense (unpruned) reference network's figures.</summary>
/// <param name="ValAccuracy">Validation accuracy after dense training.</param>
/// <param name="TestAccuracy">Test accuracy after dense training.</param>
/// <param name="Epochs">Epochs of dense training.</param>
/// <param name="WallSeconds">Wall time of dense training, evaluation included.</param>
public sealed record DenseResult(double ValAccuracy, double TestAccuracy, int Epochs, double WallSeconds);

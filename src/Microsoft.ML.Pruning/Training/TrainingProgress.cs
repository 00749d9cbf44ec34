namespace Microsoft.ML.Pruning.Training;

/// <summary>A progress report from inside a training epoch.</summary>
/// <param name="Phase">What is being trained, e.g. "dense" or "round 3".</param>
/// <param name="Epoch">0-based epoch within the phase.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchCount">Batches in the epoch.</param>
/// <param name="Loss">Mean training loss over the batches done so far in this epoch.</param>
/// <param name="LearningRate">The learning rate of this epoch.</param>
public sealed record TrainingProgress(string Phase, int Epoch, int Batch, int BatchCount, double Loss, double LearningRate);

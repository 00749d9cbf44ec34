namespace Microsoft.ML.Pruning.Training;

/// <summary>What one call of <see cref="Trainer.TrainBatches"/> did: a run of consecutive batches of one epoch.</summary>
/// <param name="Batches">Batches trained.</param>
/// <param name="Samples">Rows trained on.</param>
/// <param name="MeanLoss">Mean training loss over those rows.</param>
/// <param name="EpochCompleted">True when the segment trained the epoch's last batch.</param>
/// <param name="EpochLoss">When <paramref name="EpochCompleted"/>: the mean loss over the whole epoch (every segment of it).</param>
public sealed record TrainingSegment(int Batches, long Samples, double MeanLoss, bool EpochCompleted, double? EpochLoss);

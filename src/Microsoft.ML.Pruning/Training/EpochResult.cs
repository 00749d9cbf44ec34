namespace Microsoft.ML.Pruning.Training;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">0-based epoch within the phase.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="Samples">Rows seen.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="LearningRate">Learning rate used.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, int Samples, double Seconds, double LearningRate)
{
    /// <summary>Training throughput, rows per second.</summary>
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;
}

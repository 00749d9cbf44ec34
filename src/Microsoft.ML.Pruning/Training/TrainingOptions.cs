namespace Microsoft.ML.Pruning.Training;

/// <summary>How a network is trained: optimizer, learning-rate schedule and batch sizes.</summary>
public sealed record TrainingOptions
{
    /// <summary>The optimizer. Default: Adam with learning rate 1.2e-3 (the lottery-ticket paper's LeNet setting).</summary>
    public OptimizerOptions Optimizer { get; init; } = OptimizerOptions.Adam();

    /// <summary>The learning-rate schedule of each training phase. Default: constant.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Mini-batch size for training. Default 60.</summary>
    public int BatchSize { get; init; } = 60;

    /// <summary>Batch size for evaluation (no gradients, so larger is faster). Default 1000.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Report progress every this many batches (and at the end of each epoch). Default 20.</summary>
    public int ProgressInterval { get; init; } = 20;

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Optimizer.Validate();
        if (BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        }

        if (EvaluationBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EvaluationBatchSize), EvaluationBatchSize, "The evaluation batch size must be positive.");
        }

        if (ProgressInterval <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, "The progress interval must be positive.");
        }
    }
}

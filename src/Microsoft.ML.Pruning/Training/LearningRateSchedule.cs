namespace Microsoft.ML.Pruning.Training;

/// <summary>
/// How the learning rate changes over the epochs of one training phase (dense pre-training, or one pruning
/// round's retraining). The rate of epoch <c>e</c> (0-based) is <c>base * Factor(e)</c>.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The multiplier of the base learning rate at 0-based <paramref name="epoch"/>.</summary>
    public abstract double Factor(int epoch);

    /// <summary>The base rate throughout.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiply by <paramref name="gamma"/> every <paramref name="stepEpochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int stepEpochs, double gamma = 0.1)
    {
        if (stepEpochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepEpochs), stepEpochs, "The step length must be a positive number of epochs.");
        }

        if (!(gamma > 0 && gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The step factor must be in (0, 1].");
        }

        return new StepSchedule(stepEpochs, gamma);
    }

    /// <summary>Cosine annealing from the base rate to <c>base * minFactor</c> over <paramref name="totalEpochs"/>.</summary>
    public static LearningRateSchedule Cosine(int totalEpochs, double minFactor = 0.0)
    {
        if (totalEpochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalEpochs), totalEpochs, "Cosine annealing needs a positive number of epochs.");
        }

        if (minFactor < 0 || minFactor > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "The final factor must be in [0, 1].");
        }

        return new CosineSchedule(totalEpochs, minFactor);
    }

    private sealed record ConstantSchedule : LearningRateSchedule
    {
        public override double Factor(int epoch) => 1.0;

        public override string ToString() => "constant";
    }

    private sealed record StepSchedule(int StepEpochs, double Gamma) : LearningRateSchedule
    {
        public override double Factor(int epoch) => Math.Pow(Gamma, epoch / StepEpochs);

        public override string ToString() => $"step({StepEpochs}, {Gamma})";
    }

    private sealed record CosineSchedule(int TotalEpochs, double MinFactor) : LearningRateSchedule
    {
        // Past the horizon the rate stays at its minimum rather than rising again.
        public override double Factor(int epoch) =>
            MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(epoch, TotalEpochs) / TotalEpochs));

        public override string ToString() => $"cosine({TotalEpochs}, {MinFactor})";
    }
}

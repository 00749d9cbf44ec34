namespace Microsoft.ML.Pruning.Stopping;

/// <summary>Factories for the built-in stopping policies.</summary>
public static class StoppingPolicy
{
    /// <summary>Retrain every round for exactly <paramref name="epochs"/> epochs (the classic IMP / lottery-ticket schedule).</summary>
    public static FixedEpochsPolicy FixedEpochs(int epochs) => new(epochs);

    /// <summary>Retrain until validation accuracy reaches the dense network's, or <paramref name="maxEpochs"/>.</summary>
    public static AccuracyRecoveryPolicy AccuracyRecovery(double maxEpochs, double checkEvery = 1) => new(maxEpochs) { CheckEvery = checkEvery };
}

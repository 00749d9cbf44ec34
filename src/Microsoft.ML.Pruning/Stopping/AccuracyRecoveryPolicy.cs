namespace Microsoft.ML.Pruning.Stopping;

/// <summary>Retrains each round until validation accuracy is back at the dense network's (IMP-AR), or a limit.</summary>
public sealed class AccuracyRecoveryPolicy : IStoppingPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEpochs"/> is not positive.</exception>
    public AccuracyRecoveryPolicy(int maxEpochs)
    {
        if (maxEpochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "The epoch limit must be positive.");
        }

        MaxEpochs = maxEpochs;
    }

    /// <inheritdoc />
    public string Name => $"accuracy-recovery({MaxEpochs})";

    /// <inheritdoc />
    public int MaxEpochs { get; }

    /// <inheritdoc />
    public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
    {
    }

    /// <inheritdoc />
    public void BeginRound(int round)
    {
    }

    /// <inheritdoc />
    public StoppingDecision AfterEpoch(StoppingContext context, CancellationToken cancellationToken = default)
    {
        if (context.ValAccuracy >= context.DenseValAccuracy)
        {
            return StoppingDecision.StopBecause(StopReasons.AccuracyRecovered);
        }

        return context.Epoch >= MaxEpochs ? StoppingDecision.StopBecause(StopReasons.MaxEpochs) : StoppingDecision.Continue;
    }
}

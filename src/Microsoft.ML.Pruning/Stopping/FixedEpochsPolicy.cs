namespace Microsoft.ML.Pruning.Stopping;

/// <summary>Retrains every round for a fixed number of epochs.</summary>
public sealed class FixedEpochsPolicy : IStoppingPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> is not positive.</exception>
    public FixedEpochsPolicy(int epochs)
    {
        if (epochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "A fixed retraining schedule needs at least one epoch per round.");
        }

        Epochs = epochs;
    }

    /// <summary>Epochs per round.</summary>
    public int Epochs { get; }

    /// <inheritdoc />
    public string Name => $"fixed-epochs({Epochs})";

    /// <inheritdoc />
    public int MaxEpochs => Epochs;

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
        => context.Epoch >= Epochs ? StoppingDecision.StopBecause(StopReasons.FixedEpochs) : StoppingDecision.Continue;
}

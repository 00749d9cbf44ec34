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
            throw new ArgumentOutOfRangeException(nameof(epochs), "A fixed retraining schedule needs at least one epoch per round.");
        }

        Epochs = epochs;
    }

    /// <summary>Epochs per round.</summary>
    public int Epochs { get; }

    /// <inheritdoc />
    public string Name => $"fixed-epochs({Epochs})";

    /// <inheritdoc />
    public double MaxEpochs => Epochs;

    /// <summary>Every epoch: a fixed schedule has nothing to decide in between.</summary>
    public double CheckEvery => 1;

    /// <inheritdoc />
    public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
    {
    }

    /// <inheritdoc />
    public void BeginRound(int round)
    {
    }

    /// <inheritdoc />
    public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default)
        => context.Epochs >= Epochs ? StoppingDecision.StopBecause(StopReasons.FixedEpochs) : StoppingDecision.Continue;
}

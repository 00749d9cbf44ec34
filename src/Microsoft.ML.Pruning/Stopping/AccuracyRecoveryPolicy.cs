using System.Globalization;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Retrains each round until the validation metric (accuracy for classification) is back at the dense network's
/// (IMP-AR), or a limit; decides every <see cref="CheckEvery"/> epochs.
/// </summary>
public sealed class AccuracyRecoveryPolicy : IStoppingPolicy
{
    private readonly double _checkEvery = 1;

    /// <summary>Creates the policy.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEpochs"/> is not positive.</exception>
    public AccuracyRecoveryPolicy(double maxEpochs)
    {
        if (!(maxEpochs > 0 && double.IsFinite(maxEpochs)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpochs), "The epoch limit must be a positive number.");
        }

        MaxEpochs = maxEpochs;
    }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"accuracy-recovery({MaxEpochs}{(CheckEvery != 1 ? $", every {CheckEvery}" : "")})");

    /// <inheritdoc />
    public double MaxEpochs { get; }

    /// <summary>Epochs between decisions (fractions allowed). Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive number.</exception>
    public double CheckEvery
    {
        get => _checkEvery;
        init => _checkEvery = StoppingChecks.RequirePositive(value, nameof(CheckEvery));
    }

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
    {
        if (context.MetricRecovered)
        {
            return StoppingDecision.StopBecause(StopReasons.AccuracyRecovered);
        }

        return context.Epochs >= MaxEpochs ? StoppingDecision.StopBecause(StopReasons.MaxEpochs) : StoppingDecision.Continue;
    }
}

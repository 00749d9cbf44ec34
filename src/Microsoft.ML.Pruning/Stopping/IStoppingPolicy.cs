namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Decides, at each check point of a pruning round's retraining, whether the round's retraining is done.
/// </summary>
/// <remarks>
/// The engine calls <see cref="Initialize"/> once after dense pre-training (policies that compare against the dense
/// network record what they need there), then <see cref="BeginRound"/> at the start of each round and
/// <see cref="Check"/> every <see cref="CheckEvery"/> epochs of retraining (fractions of an epoch allowed: 0.25 means
/// four decisions an epoch) until it returns a stop. The engine itself stops a round at <see cref="MaxEpochs"/>.
/// </remarks>
public interface IStoppingPolicy
{
    /// <summary>A short name for reports, e.g. <c>fixed-epochs(20)</c>.</summary>
    string Name { get; }

    /// <summary>Never retrain a round for more than this many epochs.</summary>
    double MaxEpochs { get; }

    /// <summary>Epochs of retraining between two decisions (positive; below 1 decides inside epochs).</summary>
    double CheckEvery { get; }

    /// <summary>Records the dense reference. Called once, after dense pre-training.</summary>
    void Initialize(DenseReference reference, CancellationToken cancellationToken = default);

    /// <summary>Called after a round's pruning and rewinding, before its first retraining batch.</summary>
    void BeginRound(int round);

    /// <summary>Whether to stop at the check point described by <paramref name="context"/>.</summary>
    StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default);
}

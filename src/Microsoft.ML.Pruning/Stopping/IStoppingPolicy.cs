namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Decides, after each retraining epoch of a pruning round, whether the round's retraining is done.
/// </summary>
/// <remarks>
/// The engine calls <see cref="Initialize"/> once after dense pre-training (policies that compare against the dense
/// network record what they need there), then <see cref="BeginRound"/> at the start of each round and
/// <see cref="AfterEpoch"/> after every retraining epoch until it returns a stop.
/// </remarks>
public interface IStoppingPolicy
{
    /// <summary>A short name for reports, e.g. <c>fixed-epochs(20)</c>.</summary>
    string Name { get; }

    /// <summary>Never retrain a round for more than this many epochs.</summary>
    int MaxEpochs { get; }

    /// <summary>Records the dense reference. Called once, after dense pre-training.</summary>
    void Initialize(DenseReference reference, CancellationToken cancellationToken = default);

    /// <summary>Called after a round's pruning and rewinding, before its first retraining epoch.</summary>
    void BeginRound(int round);

    /// <summary>Whether to stop after the epoch described by <paramref name="context"/>.</summary>
    StoppingDecision AfterEpoch(StoppingContext context, CancellationToken cancellationToken = default);
}

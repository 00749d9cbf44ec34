namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// How much of the surviving weights a pruning step removes: a fixed fraction (<see cref="Fixed"/>) or the PQ-index
/// adaptive rate of SAP (<see cref="PqIndex"/>).
/// </summary>
public abstract record PruningRate
{
    /// <summary>The fraction of <paramref name="surviving"/> weights to remove (in [0, 1)).</summary>
    public abstract double RateFor(ReadOnlySpan<float> surviving);

    /// <summary>Remove <paramref name="rate"/> of the surviving weights every round.</summary>
    public static FixedPruningRate Fixed(double rate) => new(rate);

    /// <summary>The PQ-index adaptive rate (SAP, Diao et al. 2023) with its reference defaults.</summary>
    public static PqIndexPruningRate PqIndex(double p = 1, double q = 2, double eta = 0, double gamma = 1, double beta = 0.9)
        => new(p, q, eta, gamma, beta);
}

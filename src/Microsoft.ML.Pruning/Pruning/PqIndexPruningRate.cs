namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The PQ-index adaptive pruning rate (SAP, Diao et al. 2023). Over the <c>d</c> surviving weights <c>w</c>:
/// <c>I = 1 - d^(1/q - 1/p) * ||w||_p / ||w||_q</c>, <c>m = d * (1+eta)^(-q/(q-p)) * (1-I)^(q*p/(q-p))</c>,
/// rate <c>= clamp(gamma * (1 - m/d), 0, beta)</c>. A network whose weights are already concentrated in few entries
/// (high PQ index) is pruned harder.
/// </summary>
public sealed record PqIndexPruningRate : PruningRate
{
    /// <summary>Creates the rate; see the type's remarks for the formula.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range (the message names it).</exception>
    public PqIndexPruningRate(double p = 1, double q = 2, double eta = 0, double gamma = 1, double beta = 0.9)
    {
        if (!(p > 0 && q > p))
        {
            throw new ArgumentOutOfRangeException(nameof(q), $"The PQ index needs 0 < p < q (got p={p}, q={q}).");
        }

        if (eta < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must not be negative.");
        }

        if (!(gamma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive.");
        }

        if (!(beta > 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta, the largest rate, must be in (0, 1).");
        }

        (P, Q, Eta, Gamma, Beta) = (p, q, eta, gamma, beta);
    }

    /// <summary>The lower norm order. Default 1.</summary>
    public double P { get; }

    /// <summary>The higher norm order. Default 2.</summary>
    public double Q { get; }

    /// <summary>Slack of the retained-count bound. Default 0.</summary>
    public double Eta { get; }

    /// <summary>Scale of the rate. Default 1.</summary>
    public double Gamma { get; }

    /// <summary>Largest rate. Default 0.9.</summary>
    public double Beta { get; }

    /// <summary>The PQ index <c>I</c> of <paramref name="w"/> (0 for equal magnitudes, towards 1 for one dominant entry).</summary>
    public double Index(ReadOnlySpan<float> w)
    {
        int d = w.Length;
        if (d == 0)
        {
            return 0;
        }

        double sp = 0, sq = 0;
        foreach (float v in w)
        {
            double a = Math.Abs(v);
            sp += Math.Pow(a, P);
            sq += Math.Pow(a, Q);
        }

        if (sq == 0)
        {
            return 0; // All zero: nothing distinguishes one weight from another.
        }

        double normP = Math.Pow(sp, 1 / P);
        double normQ = Math.Pow(sq, 1 / Q);
        return 1 - Math.Pow(d, 1 / Q - 1 / P) * normP / normQ;
    }

    /// <inheritdoc />
    public override double RateFor(ReadOnlySpan<float> surviving)
    {
        int d = surviving.Length;
        if (d == 0)
        {
            return 0;
        }

        double index = Index(surviving);
        double m = d * Math.Pow(1 + Eta, -Q / (Q - P)) * Math.Pow(1 - index, Q * P / (Q - P));
        return Math.Clamp(Gamma * (1 - m / d), 0, Beta);
    }

    /// <inheritdoc />
    public override string ToString() => $"pq-index(p={P}, q={Q}, eta={Eta}, gamma={Gamma}, beta={Beta})";
}

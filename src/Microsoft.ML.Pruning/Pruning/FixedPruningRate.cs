namespace Microsoft.ML.Pruning.Pruning;

/// <summary>Removes a fixed fraction of the surviving weights each round: after k rounds the density is <c>(1-r)^k</c>.</summary>
public sealed record FixedPruningRate : PruningRate
{
    /// <summary>Creates the rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not in (0, 1).</exception>
    public FixedPruningRate(double rate)
    {
        if (!(rate > 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The pruning rate must be in (0, 1): the fraction of surviving weights removed per round.");
        }

        Rate = rate;
    }

    /// <summary>The fraction of surviving weights removed per round.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override double RateFor(ReadOnlySpan<float> surviving) => Rate;

    /// <inheritdoc />
    public override string ToString() => $"fixed({Rate})";
}

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// A small, fast, seedable generator (SplitMix64) whose sequence is fixed by this library, not by the .NET
/// runtime version, so a seed gives the same shuffles and synthetic data everywhere.
/// </summary>
public sealed class SeededRandom
{
    private ulong _state;

    /// <summary>Creates a generator; equal seeds give equal sequences.</summary>
    public SeededRandom(long seed) => _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL);

    /// <summary>Derives an independent generator for a named purpose (e.g. a stream per epoch).</summary>
    public static SeededRandom For(long seed, long stream) => new(unchecked(seed * 1_000_003L + stream * 7_919L + 17));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>A uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        }

        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A uniformly random permutation of 0..count-1 (Fisher-Yates).</summary>
    public int[] Permutation(int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (int i = count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}

namespace Microsoft.ML.Pruning.Data;

/// <summary>Label lists for the synthetic data sets.</summary>
internal static class SyntheticLabels
{
    /// <summary>
    /// An exactly balanced label list (class <c>k</c> appears <c>count / classes</c> times, one more for
    /// <c>k &lt; count % classes</c>) in a seeded random order, so every index range of it is roughly balanced too.
    /// </summary>
    public static long[] Balanced(int count, int classes, long seed)
    {
        var labels = new long[count];
        // A stream id no row uses (rows use 0, 1, 2, ...).
        var order = SeededRandom.For(seed, -1).Permutation(count);
        for (int i = 0; i < count; i++)
        {
            labels[order[i]] = i % classes;
        }

        return labels;
    }
}

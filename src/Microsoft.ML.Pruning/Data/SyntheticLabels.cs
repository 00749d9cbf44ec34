namespace Microsoft.ML.Pruning.Data;

/// <summary>Draws one synthetic row of class <paramref name="label"/> into zeroed <paramref name="pixels"/>.</summary>
internal delegate void SyntheticRowPainter(Span<float> pixels, int label, SeededRandom rng);

/// <summary>Label lists and row-parallel generation for the synthetic data sets.</summary>
internal static class SyntheticLabels
{
    /// <summary>
    /// A balanced, seeded data set of <paramref name="count"/> images: rows are drawn in parallel, each from its own
    /// generator <c>SeededRandom.For(seed, row)</c>, so the bytes do not depend on the thread count.
    /// </summary>
    public static InMemoryDataset Generate(int count, long seed, ImageShape shape, int classCount, string name, SyntheticRowPainter paint)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        long[] labels = Balanced(count, classCount, seed);
        int size = shape.Size;
        var features = new float[(long)count * size];
        Parallel.For(0, count, row => paint(features.AsSpan(row * size, size), (int)labels[row], SeededRandom.For(seed, row)));
        return new InMemoryDataset(features, labels, size, shape, classCount, $"{name} (seed {seed})");
    }

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

using Microsoft.ML.Data;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>A row with a yes/no label (binary classification).</summary>
public sealed class YesNoRow
{
    public bool Label { get; set; }

    [VectorType(TabularRows.Features)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>A row with a value label (regression).</summary>
public sealed class ValueRow
{
    public float Label { get; set; }

    [VectorType(TabularRows.Features)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>Small seeded tables with features on different scales and a learnable, noisy label.</summary>
public static class TabularRows
{
    public const int Features = 5;

    private static readonly float[] Scales = { 1f, 100f, 0.01f, 10f, 1f };

    /// <summary>Raw features of row <paramref name="i"/> and the latent signal behind its label.</summary>
    private static (float[] Features, double Signal, double Noise) Row(Random random)
    {
        var z = Enumerable.Range(0, Features).Select(_ => Gaussian(random)).ToArray();
        double signal = z[0] - 0.7 * z[1] + 0.5 * z[2] * z[3];
        return (z.Select((v, f) => (float)(v * Scales[f] + 3 * Scales[f])).ToArray(), signal, Gaussian(random));
    }

    public static List<YesNoRow> YesNo(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (features, signal, noise) = Row(random);
            return new YesNoRow { Label = signal + 0.3 * noise > 0, Features = features };
        }).ToList();
    }

    public static List<ValueRow> Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (features, signal, noise) = Row(random);
            return new ValueRow { Label = (float)(150 + 40 * signal + 10 * noise), Features = features };
        }).ToList();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

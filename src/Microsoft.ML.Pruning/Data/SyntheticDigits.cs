namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// A seeded, MNIST-like set of hand-drawn digits that needs no download: 28x28 grey images (shape
/// <c>(1, 28, 28)</c>, values in [0, 1]), ten balanced classes.
/// </summary>
/// <remarks>
/// <para>Each digit is drawn from pen strokes (lines and elliptic arcs with random proportions and style variants:
/// open or closed 4, flagged 1, crossed 7, ...), bent by a smooth random wobble, then placed by a random affine map
/// (rotation within ±15°, scale 0.8-1.15, a little squash and shear, translation within ±3 px) and rendered with a
/// random stroke width (1.2-2.8 px, anti-aliased by distance), a random ink intensity, background noise and, on
/// some images, short stray strokes. The variation in position and shape keeps a linear model well below a small
/// convolutional network.</para>
/// <para>Row <c>i</c> is drawn from its own generator derived from (<c>seed</c>, <c>i</c>), so the data is
/// byte-identical for a seed whatever the number of threads. Labels are a seeded shuffle of an exactly balanced
/// list, so a set is not a prefix of a larger set with the same seed.</para>
/// </remarks>
public static class SyntheticDigits
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 28;

    /// <summary>The number of classes (digits 0-9).</summary>
    public const int ClassCount = 10;

    /// <summary>The image shape of every row.</summary>
    public static ImageShape Shape { get; } = new(1, Side, Side);

    /// <summary>The class names, indexed by label: "0" .. "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, ClassCount).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Generates <paramref name="count"/> digits; the same seed gives byte-identical data.</summary>
    /// <param name="count">Number of rows; each class gets <c>count / 10</c> rows, the first <c>count % 10</c> classes one more.</param>
    /// <param name="seed">Seed of the data; different seeds give different data.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static InMemoryDataset Generate(int count, long seed)
        => SyntheticLabels.Generate(count, seed, Shape, ClassCount, "synthetic-digits", Draw);

    /// <summary>Draws one digit into <paramref name="pixels"/> (28 x 28, zeroed).</summary>
    internal static void Draw(Span<float> pixels, int digit, SeededRandom rng)
    {
        var strokes = DigitGlyphs.Strokes(digit, rng);

        // A smooth wobble of the glyph frame, so no two digits share exact curves.
        double wobble = rng.NextDouble(0.01, 0.045);
        double fx1 = rng.NextDouble(2, 5), fy1 = rng.NextDouble(2, 5), px1 = rng.NextDouble(0, 2 * Math.PI);
        double fx2 = rng.NextDouble(2, 5), fy2 = rng.NextDouble(2, 5), px2 = rng.NextDouble(0, 2 * Math.PI);

        // The affine placement: glyph units to pixels, the glyph's height being about 20 px as in MNIST.
        double angle = rng.NextDouble(-15, 15) * Math.PI / 180;
        double scale = rng.NextDouble(0.8, 1.15) * 20;
        double squash = rng.NextDouble(0.85, 1.15);
        double shear = rng.NextDouble(-0.25, 0.25);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double tx = Side / 2.0 + rng.NextDouble(-3, 3), ty = Side / 2.0 + rng.NextDouble(-3, 3);
        (double X, double Y) Place((double X, double Y) g)
        {
            double x = g.X + wobble * Math.Sin(fx1 * g.Y + px1), y = g.Y + wobble * Math.Sin(fy1 * g.X + px2);
            x += wobble * 0.5 * Math.Sin(fx2 * g.X + fy2 * g.Y);
            x = (x + shear * y) * squash * scale;
            y *= scale;
            return (tx + cos * x - sin * y, ty + sin * x + cos * y);
        }

        double strokeWidth = rng.NextDouble(1.2, 2.8);
        double ink = rng.NextDouble(0.65, 1.0);
        foreach (var stroke in strokes)
        {
            StrokeRenderer.DrawPolyline(pixels, Side, Side, stroke.Select(Place).ToList(), strokeWidth, ink);
        }

        // Clutter: short stray strokes anywhere, fainter and thinner than the digit.
        if (rng.NextDouble() < 0.5)
        {
            int strays = 1 + rng.NextInt(2);
            for (int i = 0; i < strays; i++)
            {
                double x0 = rng.NextDouble(2, Side - 2), y0 = rng.NextDouble(2, Side - 2);
                double direction = rng.NextDouble(0, 2 * Math.PI), length = rng.NextDouble(3, 8);
                StrokeRenderer.DrawSegment(
                    pixels, Side, Side, x0, y0, x0 + length * Math.Cos(direction), y0 + length * Math.Sin(direction),
                    rng.NextDouble(1.0, 2.0), rng.NextDouble(0.3, 0.8));
            }
        }

        double noise = rng.NextDouble(0, 0.1);
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = Math.Clamp(pixels[i] + (float)(noise * rng.NextGaussian()), 0f, 1f);
        }
    }
}

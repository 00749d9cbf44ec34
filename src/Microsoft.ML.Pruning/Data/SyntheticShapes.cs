namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// A seeded, CIFAR-like set of coloured shapes that needs no download: 32x32 RGB images (shape
/// <c>(3, 32, 32)</c>, channel-major, values in [0, 1]), ten balanced classes named by <see cref="ClassNames"/>.
/// </summary>
/// <remarks>
/// <para>Each image is one shape at a random position, size and rotation (stripes, the plus and the diagonal line
/// turn only a little, so their class stays well defined), in a random foreground colour over a random background
/// colour: colour never tells the class, only form and texture do. Backgrounds carry a colour gradient and faint
/// soft blobs, and every pixel gets noise. Shapes are anti-aliased by 3x3 supersampling.</para>
/// <para>Row <c>i</c> is drawn from its own generator derived from (<c>seed</c>, <c>i</c>), so the data is
/// byte-identical for a seed whatever the number of threads; labels are a seeded shuffle of an exactly balanced list.</para>
/// </remarks>
public static class SyntheticShapes
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 32;

    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The image shape of every row.</summary>
    public static ImageShape Shape { get; } = new(3, Side, Side);

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "circle", "square", "triangle", "plus", "ring",
        "horizontal-stripes", "vertical-stripes", "checkerboard", "diagonal-line", "star",
    };

    /// <summary>Generates <paramref name="count"/> images; the same seed gives byte-identical data.</summary>
    /// <param name="count">Number of rows; each class gets <c>count / 10</c> rows, the first <c>count % 10</c> classes one more.</param>
    /// <param name="seed">Seed of the data; different seeds give different data.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static InMemoryDataset Generate(int count, long seed)
        => SyntheticLabels.Generate(count, seed, Shape, ClassCount, "synthetic-shapes", Draw);

    /// <summary>Draws one image of class <paramref name="shape"/> into <paramref name="pixels"/> (3 x 32 x 32, channel-major).</summary>
    internal static void Draw(Span<float> pixels, int shape, SeededRandom rng)
    {
        const int Plane = Side * Side;
        Span<double> background = stackalloc double[3];
        Span<double> gradient = stackalloc double[3];
        Span<double> foreground = stackalloc double[3];
        for (int c = 0; c < 3; c++)
        {
            background[c] = rng.NextDouble();
            gradient[c] = rng.NextDouble(-0.25, 0.25);
        }

        // The foreground differs clearly from the background, but both are otherwise random.
        double distance;
        do
        {
            distance = 0;
            for (int c = 0; c < 3; c++)
            {
                foreground[c] = rng.NextDouble();
                distance += (foreground[c] - background[c]) * (foreground[c] - background[c]);
            }
        }
        while (Math.Sqrt(distance) < 0.4);

        // Background: base colour plus a linear gradient.
        double gradientAngle = rng.NextDouble(0, 2 * Math.PI);
        double gx = Math.Cos(gradientAngle) / (Side / 2.0), gy = Math.Sin(gradientAngle) / (Side / 2.0);
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                double ramp = (x - Side / 2.0) * gx + (y - Side / 2.0) * gy;
                for (int c = 0; c < 3; c++)
                {
                    pixels[c * Plane + y * Side + x] = (float)(background[c] + gradient[c] * ramp);
                }
            }
        }

        // Texture: a few faint, soft blobs of random colours.
        int blobs = rng.NextInt(4);
        for (int b = 0; b < blobs; b++)
        {
            double bx = rng.NextDouble(0, Side), by = rng.NextDouble(0, Side), radius = rng.NextDouble(5, 14), alpha = rng.NextDouble(0.1, 0.3);
            double r = rng.NextDouble(), g = rng.NextDouble(), bl = rng.NextDouble();
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    double d2 = (x + 0.5 - bx) * (x + 0.5 - bx) + (y + 0.5 - by) * (y + 0.5 - by);
                    double w = alpha * Math.Exp(-d2 / (2 * radius * radius));
                    int i = y * Side + x;
                    pixels[i] = (float)(pixels[i] * (1 - w) + r * w);
                    pixels[Plane + i] = (float)(pixels[Plane + i] * (1 - w) + g * w);
                    pixels[2 * Plane + i] = (float)(pixels[2 * Plane + i] * (1 - w) + bl * w);
                }
            }
        }

        // The shape, composited with 3x3 supersampled coverage.
        var inside = ShapeTest(shape, rng, out double cx, out double cy, out double angle);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                int hits = 0;
                for (int sy = 0; sy < 3; sy++)
                {
                    for (int sx = 0; sx < 3; sx++)
                    {
                        double px = x + (sx + 0.5) / 3 - cx, py = y + (sy + 0.5) / 3 - cy;
                        if (inside(cos * px + sin * py, -sin * px + cos * py))
                        {
                            hits++;
                        }
                    }
                }

                if (hits == 0)
                {
                    continue;
                }

                float coverage = hits / 9f;
                for (int c = 0; c < 3; c++)
                {
                    ref float pixel = ref pixels[c * Plane + y * Side + x];
                    pixel = pixel * (1 - coverage) + (float)foreground[c] * coverage;
                }
            }
        }

        double noise = rng.NextDouble(0.02, 0.08);
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = Math.Clamp(pixels[i] + (float)(noise * rng.NextGaussian()), 0f, 1f);
        }
    }

    /// <summary>
    /// The membership test of one random instance of a class, in the shape's own frame (u along its rotated x axis,
    /// v along its rotated y axis, origin at its centre), with the centre and rotation that place it.
    /// </summary>
    private static Func<double, double, bool> ShapeTest(int shape, SeededRandom rng, out double cx, out double cy, out double angle)
    {
        double R(double min, double max) => rng.NextDouble(min, max);
        double Degrees(double min, double max) => R(min, max) * Math.PI / 180;
        cx = R(11, 21);
        cy = R(11, 21);
        switch (shape)
        {
            case 0:
            {
                double radius = R(5, 10);
                angle = 0;
                return (u, v) => u * u + v * v <= radius * radius;
            }

            case 1:
            {
                double half = R(4, 8.5);
                angle = Degrees(0, 90);
                return (u, v) => Math.Abs(u) <= half && Math.Abs(v) <= half;
            }

            case 2:
            {
                double radius = R(6.5, 11.5);
                var triangle = RegularPolygon(3, radius, radius);
                angle = Degrees(0, 360);
                return (u, v) => InPolygon(triangle, u, v);
            }

            case 3:
            {
                double arm = R(6, 11), half = R(1.2, 2.3);
                angle = Degrees(-20, 20);
                return (u, v) => (Math.Abs(u) <= arm && Math.Abs(v) <= half) || (Math.Abs(v) <= arm && Math.Abs(u) <= half);
            }

            case 4:
            {
                double radius = R(6, 11), half = R(0.9, 1.8);
                angle = 0;
                return (u, v) => Math.Abs(Math.Sqrt(u * u + v * v) - radius) <= half;
            }

            case 5:
            case 6:
            case 7:
            {
                double halfWidth = R(6, 11), halfHeight = R(6, 11), period = R(3, 6), phase = R(0, period);
                angle = Degrees(-15, 15);
                return shape switch
                {
                    5 => (u, v) => Math.Abs(u) <= halfWidth && Math.Abs(v) <= halfHeight && Fraction((v + phase) / period) < 0.5,
                    6 => (u, v) => Math.Abs(u) <= halfWidth && Math.Abs(v) <= halfHeight && Fraction((u + phase) / period) < 0.5,
                    _ => (u, v) => Math.Abs(u) <= halfWidth && Math.Abs(v) <= halfHeight &&
                                   (((long)Math.Floor((u + phase) / period * 1.5) + (long)Math.Floor((v + phase) / period * 1.5)) & 1) == 0,
                };
            }

            case 8:
            {
                double half = R(7, 14), thickness = R(1, 2);
                angle = Degrees(30, 60) * (rng.NextDouble() < 0.5 ? 1 : -1);
                return (u, v) => Math.Abs(u) <= half && Math.Abs(v) <= thickness;
            }

            case 9:
            {
                double outer = R(7, 12);
                var star = RegularPolygon(5, outer, outer * R(0.38, 0.5));
                angle = Degrees(0, 360);
                return (u, v) => InPolygon(star, u, v);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "Shape classes are 0-9.");
        }
    }

    private static double Fraction(double x) => x - Math.Floor(x);

    /// <summary>Vertices of a regular polygon with <paramref name="points"/> tips, alternating outer and inner radius (a star when they differ).</summary>
    private static (double X, double Y)[] RegularPolygon(int points, double outer, double inner)
    {
        bool star = inner != outer;
        int n = star ? points * 2 : points;
        var vertices = new (double X, double Y)[n];
        for (int i = 0; i < n; i++)
        {
            double a = -Math.PI / 2 + 2 * Math.PI * i / n;
            double radius = star && i % 2 == 1 ? inner : outer;
            vertices[i] = (radius * Math.Cos(a), radius * Math.Sin(a));
        }

        return vertices;
    }

    /// <summary>Even-odd point-in-polygon test.</summary>
    private static bool InPolygon((double X, double Y)[] polygon, double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}

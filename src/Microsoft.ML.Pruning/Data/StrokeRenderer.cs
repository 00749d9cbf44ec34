namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Draws thick line segments onto a grey image with distance-based anti-aliasing: a pixel's coverage falls
/// linearly from 1 to 0 across the pixel that straddles the stroke's edge, so strokes of any width and angle look
/// alike and thin strokes do not alias into stairs.
/// </summary>
internal static class StrokeRenderer
{
    /// <summary>
    /// Draws the segment (x0, y0)-(x1, y1) (pixel units; pixel centres at integer + 0.5) of full width
    /// <paramref name="strokeWidth"/> at <paramref name="intensity"/> onto a <paramref name="width"/> x
    /// <paramref name="height"/> image, keeping the brighter value per pixel (overlapping strokes do not add up, as with ink).
    /// </summary>
    public static void DrawSegment(Span<float> pixels, int width, int height, double x0, double y0, double x1, double y1, double strokeWidth, double intensity)
    {
        double half = strokeWidth / 2;
        double reach = half + 1;
        int minX = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - reach));
        int maxX = Math.Min(width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + reach));
        int minY = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - reach));
        int maxY = Math.Min(height - 1, (int)Math.Ceiling(Math.Max(y0, y1) + reach));
        double dx = x1 - x0, dy = y1 - y0;
        double lengthSquared = dx * dx + dy * dy;
        for (int y = minY; y <= maxY; y++)
        {
            double py = y + 0.5;
            for (int x = minX; x <= maxX; x++)
            {
                double px = x + 0.5;
                double t = lengthSquared > 0 ? Math.Clamp(((px - x0) * dx + (py - y0) * dy) / lengthSquared, 0, 1) : 0;
                double ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
                double coverage = half + 0.5 - Math.Sqrt(ex * ex + ey * ey);
                if (coverage <= 0)
                {
                    continue;
                }

                float value = (float)(Math.Min(coverage, 1) * intensity);
                ref float pixel = ref pixels[y * width + x];
                if (value > pixel)
                {
                    pixel = value;
                }
            }
        }
    }

    /// <summary>Draws consecutive segments through <paramref name="points"/>.</summary>
    public static void DrawPolyline(Span<float> pixels, int width, int height, IReadOnlyList<(double X, double Y)> points, double strokeWidth, double intensity)
    {
        for (int i = 1; i < points.Count; i++)
        {
            DrawSegment(pixels, width, height, points[i - 1].X, points[i - 1].Y, points[i].X, points[i].Y, strokeWidth, intensity);
        }
    }
}

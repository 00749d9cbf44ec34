namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Pen strokes of the ten digits, with random proportions and style variants (open or closed 4, flagged 1,
/// crossed 7, ...), in a glyph frame where x points right, y points down, and the digit spans about
/// x in [-0.3, 0.3], y in [-0.5, 0.5]. Angles are in degrees, 0 pointing right and 90 pointing down.
/// </summary>
internal static class DigitGlyphs
{
    public static List<List<(double X, double Y)>> Strokes(int digit, SeededRandom rng)
    {
        var strokes = new List<List<(double X, double Y)>>();
        double R(double min, double max) => rng.NextDouble(min, max);
        void Line(params (double X, double Y)[] points) => strokes.Add(points.ToList());
        void Arc(double cx, double cy, double rx, double ry, double from, double to) => strokes.Add(ArcPoints(cx, cy, rx, ry, from, to));

        switch (digit)
        {
            case 0:
            {
                double start = R(0, 360);
                Arc(R(-0.02, 0.02), 0, R(0.2, 0.32), R(0.42, 0.5), start, start + 360 + R(0, 25));
                break;
            }

            case 1:
            {
                var top = (R(-0.04, 0.1), R(-0.5, -0.42));
                var bottom = (R(-0.08, 0.04), R(0.42, 0.5));
                Line(top, bottom);
                if (rng.NextDouble() < 0.55)
                {
                    Line(top, (top.Item1 - R(0.1, 0.22), top.Item2 + R(0.08, 0.2)));
                }

                if (rng.NextDouble() < 0.2)
                {
                    Line((bottom.Item1 - R(0.1, 0.18), bottom.Item2), (bottom.Item1 + R(0.1, 0.18), bottom.Item2));
                }

                break;
            }

            case 2:
            {
                double rx = R(0.22, 0.3), ry = R(0.18, 0.26), cy = R(-0.28, -0.2);
                var arc = ArcPoints(0, cy, rx, ry, R(190, 225), 360 + R(15, 45));
                var foot = (R(-0.32, -0.22), R(0.42, 0.5));
                // The neck from the arc to the foot, straight or bent a little either way.
                var last = arc[^1];
                double bend = R(-0.08, 0.06);
                arc.Add(((last.X + foot.Item1) / 2 + bend, (last.Y + foot.Item2) / 2 + bend));
                arc.Add(foot);
                arc.Add((R(0.22, 0.34), foot.Item2 + R(-0.04, 0.02)));
                strokes.Add(arc);
                break;
            }

            case 3:
            {
                double upperRy = R(0.19, 0.24), lowerRy = R(0.22, 0.27);
                Arc(R(-0.02, 0.02), -0.5 + upperRy + R(0, 0.04), R(0.2, 0.26), upperRy, R(190, 220), 450);
                Arc(R(-0.02, 0.03), 0.5 - lowerRy - R(0, 0.04), R(0.24, 0.3), lowerRy, 270, 360 + R(130, 165));
                break;
            }

            case 4:
            {
                double barY = R(0.05, 0.22), stemX = R(0.08, 0.18);
                if (rng.NextDouble() < 0.6)
                {
                    Line((stemX, R(-0.5, -0.42)), (R(-0.34, -0.24), barY), (R(0.26, 0.34), barY + R(-0.03, 0.03)));
                    Line((stemX + R(-0.03, 0.03), R(-0.5, -0.25)), (stemX + R(-0.05, 0.03), R(0.42, 0.5)));
                }
                else
                {
                    Line((R(-0.3, -0.2), R(-0.48, -0.38)), (R(-0.3, -0.24), barY), (R(0.26, 0.34), barY + R(-0.03, 0.03)));
                    Line((stemX, R(-0.46, -0.3)), (stemX + R(-0.05, 0.03), R(0.42, 0.5)));
                }

                break;
            }

            case 5:
            {
                double topY = R(-0.5, -0.42), cornerX = R(-0.24, -0.14), waistY = R(-0.1, 0.0);
                double ry = R(0.24, 0.3), cy = 0.5 - ry - R(0, 0.04);
                Line((R(0.22, 0.32), topY + R(-0.03, 0.03)), (cornerX, topY));
                var body = new List<(double X, double Y)> { (cornerX, topY), (cornerX - R(0, 0.05), waistY) };
                body.AddRange(ArcPoints(R(-0.02, 0.04), cy, R(0.24, 0.3), ry, R(235, 250), 360 + R(120, 160)));
                strokes.Add(body);
                break;
            }

            case 6:
            {
                double loopR = R(0.2, 0.26), loopCy = 0.5 - R(0.2, 0.26);
                var stem = ArcPoints(loopR * 0.6 + R(-0.05, 0.05), loopCy, R(0.35, 0.45), R(0.6, 0.75), R(250, 275), 180);
                stem.AddRange(ArcPoints(0, loopCy, loopR, R(0.18, 0.25), 180, 180 + 360 + R(-20, 10)).Skip(1));
                strokes.Add(stem);
                break;
            }

            case 7:
            {
                double topY = R(-0.5, -0.42);
                var corner = (R(0.22, 0.32), topY + R(-0.03, 0.03));
                var foot = (R(-0.12, 0.06), R(0.42, 0.5));
                Line((R(-0.32, -0.22), topY), corner, foot);
                if (rng.NextDouble() < 0.3)
                {
                    double midX = (corner.Item1 + foot.Item1) / 2;
                    Line((midX - R(0.12, 0.2), R(-0.04, 0.06)), (midX + R(0.1, 0.18), R(-0.04, 0.06)));
                }

                break;
            }

            case 8:
            {
                double upperRy = R(0.18, 0.23), lowerRy = R(0.22, 0.27);
                double start = R(0, 360);
                Arc(R(-0.02, 0.03), -0.5 + upperRy + R(0, 0.03), R(0.17, 0.23), upperRy, start, start + 360 + R(0, 15));
                start = R(0, 360);
                Arc(R(-0.03, 0.02), 0.5 - lowerRy - R(0, 0.03), R(0.22, 0.29), lowerRy, start, start + 360 + R(0, 15));
                break;
            }

            case 9:
            {
                double loopRx = R(0.2, 0.26), loopRy = R(0.19, 0.25), loopCy = -0.5 + loopRy + R(0, 0.04);
                var loop = ArcPoints(0, loopCy, loopRx, loopRy, R(-10, 20), R(-10, 20) + 360);
                strokes.Add(loop);
                var joint = (loopRx - 0.01, loopCy + R(-0.05, 0.05));
                if (rng.NextDouble() < 0.5)
                {
                    Line(joint, (R(0.02, 0.22), R(0.42, 0.5)));
                }
                else
                {
                    strokes.Add(ArcPoints(joint.Item1 - R(0.3, 0.45), joint.Item2, R(0.3, 0.45), R(0.6, 0.75), 0, R(60, 80)));
                }

                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(digit), digit, "Digits are 0-9.");
        }

        return strokes;
    }

    /// <summary>Points along an elliptic arc from angle <paramref name="from"/> to <paramref name="to"/> (either direction), one every ~12 degrees.</summary>
    public static List<(double X, double Y)> ArcPoints(double cx, double cy, double rx, double ry, double from, double to)
    {
        int steps = Math.Max(2, (int)Math.Ceiling(Math.Abs(to - from) / 12));
        var points = new List<(double X, double Y)>(steps + 1);
        for (int i = 0; i <= steps; i++)
        {
            double a = (from + (to - from) * i / steps) * Math.PI / 180;
            points.Add((cx + rx * Math.Cos(a), cy + ry * Math.Sin(a)));
        }

        return points;
    }
}

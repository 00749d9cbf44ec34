using System.Globalization;
using System.Text;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// A seeded three-class table of a few hundred rows, shaped like small real tables: 13 numeric features on very
/// different scales (0.01 to 1000), a class that depends non-linearly on a few of them, label noise, and informative
/// features mixed with pure noise. Written as CSV with a header (features first, the class name last).
/// </summary>
internal static class SyntheticTable
{
    public const int Features = 13;

    private static readonly string[] Classes = { "alpha", "beta", "gamma" };

    public static string Describe(int rows) => $"{rows} rows, {Features} features, 3 classes";

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", Enumerable.Range(1, Features).Select(f => $"x{f}").Append("class")));
        for (int row = 0; row < rows; row++)
        {
            var z = Enumerable.Range(0, Features).Select(_ => Gaussian(random)).ToArray();
            // Three class scores; the argmax of the scores plus noise is the class (about 10% of rows land elsewhere).
            double[] score =
            {
                1.2 * z[0] + 0.6 * z[1] * z[2],
                1.2 * z[3] - 0.5 * z[0] + Math.Sin(1.5 * z[4]),
                0.8 * z[5] + 0.6 * z[6] - 0.4 * z[3] * z[1],
            };
            int label = Enumerable.Range(0, 3).MaxBy(k => score[k] + 0.35 * Gaussian(random));
            var fields = z.Select((v, f) => (v * Scale(f) + 2 * Scale(f)).ToString("G6", c)).Append(Classes[label]);
            text.AppendLine(string.Join(",", fields));
        }

        File.WriteAllText(path, text.ToString());
    }

    private static double Scale(int feature) => Math.Pow(10, feature % 6 - 2);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

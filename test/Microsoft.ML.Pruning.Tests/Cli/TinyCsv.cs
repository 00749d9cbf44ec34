using System.Globalization;
using System.Text;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>Small CSV data sets written for CLI tests: training on them takes a fraction of a second.</summary>
internal static class TinyCsv
{
    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="features"/> features, label first, classes interleaved (row i
    /// has class i mod <paramref name="classes"/>): class k raises feature k, so the classes are learnable.
    /// </summary>
    public static string Classes(string directory, int rows = 300, int classes = 3, int features = 16, string name = "tiny.csv")
    {
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            int label = i % classes;
            text.Append(label.ToString(CultureInfo.InvariantCulture));
            for (int j = 0; j < features; j++)
            {
                double noise = ((i * 37 + j * 11) % 17) / 17.0 - 0.5;
                double value = (j % classes == label ? 1.5 : 0) + noise;
                text.Append(',').Append(value.ToString("F3", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>Rows of side × side grey images (features in [0, 1]) in two classes: a bright left or right half.</summary>
    public static string Images(string directory, int side, int rows = 120, string name = "images.csv")
    {
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            int label = i % 2;
            text.Append(label.ToString(CultureInfo.InvariantCulture));
            for (int y = 0; y < side; y++)
            {
                for (int x = 0; x < side; x++)
                {
                    bool bright = (x < side / 2) == (label == 0);
                    double value = (bright ? 0.8 : 0.1) + ((i + x * 3 + y * 5) % 7) / 70.0;
                    text.Append(',').Append(value.ToString("F3", CultureInfo.InvariantCulture));
                }
            }

            text.Append('\n');
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>The arguments of a quick <c>prune</c> on <paramref name="csv"/> into <paramref name="outDirectory"/>, plus <paramref name="more"/>.</summary>
    public static string[] QuickPrune(string csv, string outDirectory, params string[] more) =>
        // Fixed-length rounds (lth): tests that stretch --epochs to interrupt a run mid-round rely on the round not
        // ending early, which the default adaptive method may do.
        new[] { "prune", "--data", $"csv:{csv}", "--arch", "mlp:8", "--method", "lth", "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--out", outDirectory }.Concat(more).ToArray();

    /// <summary><paramref name="args"/> with <paramref name="option"/> set to <paramref name="value"/> (replaced, or added).</summary>
    public static string[] With(this string[] args, string option, string value)
    {
        int at = Array.IndexOf(args, option);
        if (at < 0)
        {
            return args.Concat(new[] { option, value }).ToArray();
        }

        var copy = args.ToArray();
        copy[at + 1] = value;
        return copy;
    }
}

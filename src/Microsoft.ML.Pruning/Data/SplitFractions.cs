using System.Globalization;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// The train / validation / test fractions of a split by index (in file order), as given to <c>--split</c>.
/// </summary>
/// <param name="Train">Fraction of rows trained on (positive).</param>
/// <param name="Validation">Fraction of rows used for stopping decisions (non-negative).</param>
/// <param name="Test">Fraction of held-out rows (non-negative).</param>
public readonly record struct SplitFractions(double Train, double Validation, double Test)
{
    /// <summary>The default split, 0.7 / 0.1 / 0.2: 10,000 rows give 7000 / 1000 / 2000.</summary>
    public static SplitFractions Default { get; } = new(0.7, 0.1, 0.2);

    /// <summary>
    /// Parses <c>"train,validation,test"</c>, e.g. <c>"0.7,0.1,0.2"</c>. Numbers use the invariant culture
    /// (a dot as decimal separator), so the same command line works on every machine.
    /// </summary>
    /// <exception cref="FormatException">The text is not three numbers, a number is negative, the training part is
    /// not positive, or they do not sum to 1.</exception>
    public static SplitFractions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Expected = "expected three fractions 'train,validation,test' that sum to 1, e.g. '0.7,0.1,0.2'";
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3)
        {
            throw new FormatException($"Split '{text}' has {parts.Length} part(s); {Expected}.");
        }

        var values = new double[3];
        for (int i = 0; i < 3; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw new FormatException($"Split '{text}': '{parts[i]}' is not a number; {Expected}.");
            }
        }

        var split = new SplitFractions(values[0], values[1], values[2]);
        if (split.Problem() is { } problem)
        {
            throw new FormatException($"Split '{text}': {problem}; {Expected}.");
        }

        return split;
    }

    /// <summary>Splits <paramref name="data"/> by index with these fractions (see <see cref="InMemoryDataset.SplitByIndex"/>).</summary>
    /// <exception cref="ArgumentException">The fractions are invalid or the data set is too small for them.</exception>
    public DataSplit Apply(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Problem() is { } problem)
        {
            throw new ArgumentException($"Split {this}: {problem}.");
        }

        return data.SplitByIndex(Train, Validation, Test);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Train},{Validation},{Test}");

    private string? Problem()
    {
        if (Train <= 0 || Train > 1)
        {
            return "the training fraction must be in (0, 1]";
        }

        if (Validation < 0 || Test < 0)
        {
            return "fractions must not be negative";
        }

        double sum = Train + Validation + Test;
        return Math.Abs(sum - 1.0) > 1e-6 ? string.Create(CultureInfo.InvariantCulture, $"the fractions sum to {sum}, not 1") : null;
    }
}

namespace Microsoft.ML.Pruning.Data;

/// <summary>How <see cref="DataSource.Load"/> turns a data spec into training, validation and test rows.</summary>
public sealed record DataLoadOptions
{
    /// <summary>The default synthetic data set size (rows before splitting).</summary>
    public const int DefaultSyntheticCount = 12_000;

    /// <summary>The options with every default.</summary>
    public static DataLoadOptions Default { get; } = new();

    /// <summary>
    /// Fractions of a single file (or file pair, or synthetic set) split by index into train, validation and
    /// test, in file order. Not used where the source has its own test files (<c>mnist:</c> with both pairs,
    /// <c>cifar10:</c>). Default: 0.7 / 0.1 / 0.2.
    /// </summary>
    public SplitFractions Split { get; init; } = SplitFractions.Default;

    /// <summary>Seed of the synthetic data sets: the same seed gives byte-identical data. Default: 1.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Rows generated for <c>synthetic-digits</c> before splitting. Default: 12,000 (8,400 / 1,200 / 2,400).</summary>
    public int SyntheticDigitsCount { get; init; } = DefaultSyntheticCount;

    /// <summary>Rows generated for <c>synthetic-shapes</c> before splitting. Default: 12,000 (8,400 / 1,200 / 2,400).</summary>
    public int SyntheticShapesCount { get; init; } = DefaultSyntheticCount;

    /// <summary>The folder relative paths in a spec are resolved against. Default: null, the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>How <c>csv:</c> files are read. Default: label in the first column, header detected, comma separated.</summary>
    public CsvReadOptions Csv { get; init; } = new();

    /// <summary>
    /// The number of classes the data is declared to have, or null to take it from the data (10 for IDX, MNIST and
    /// CIFAR-10 files; the labels of a CSV file; the generator's for synthetic sets). Labels outside it are refused,
    /// and a source whose class count is fixed must match it. Default: null.
    /// </summary>
    public int? ClassCount { get; init; }
}

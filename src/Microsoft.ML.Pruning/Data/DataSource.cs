namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Turns a data spec, as given to <c>mlnet-prune --data</c>, into training, validation and test rows.
/// </summary>
/// <remarks>
/// Specs (the scheme is case-insensitive; paths may be relative to <see cref="DataLoadOptions.BaseDirectory"/>):
/// <list type="bullet">
/// <item><c>synthetic-digits</c>: <see cref="SyntheticDigits"/>, split by index.</item>
/// <item><c>synthetic-shapes</c>: <see cref="SyntheticShapes"/>, split by index.</item>
/// <item><c>idx:&lt;images&gt;,&lt;labels&gt;</c>: one IDX pair (gzip or raw, see <see cref="IdxReader"/>), split by index.</item>
/// <item><c>mnist:&lt;dir&gt;</c>: an MNIST-style folder (see <see cref="MnistDirectory"/>).</item>
/// <item><c>cifar10:&lt;dir&gt;</c>: the CIFAR-10 binary release (see <see cref="Cifar10Reader.ReadDirectory"/>).</item>
/// <item><c>csv:&lt;file&gt;</c>: a delimited text file (see <see cref="CsvReader"/>), split by index.</item>
/// </list>
/// Splits by index keep file order: the shared MNIST-10k pair with 0.7 / 0.1 / 0.2 gives rows 0-6999, 7000-7999
/// and 8000-9999.
/// </remarks>
public static class DataSource
{
    /// <summary>The spec used when none is given: the built-in synthetic digits.</summary>
    public const string DefaultSpec = "synthetic-digits";

    /// <summary>The accepted spec forms, as shown in error messages and help text.</summary>
    public static IReadOnlyList<string> ValidForms { get; } = new[]
    {
        "synthetic-digits", "synthetic-shapes", "idx:<images>,<labels>", "mnist:<dir>", "cifar10:<dir>", "csv:<file>",
    };

    /// <summary>Loads the data a spec names.</summary>
    /// <param name="spec">A data spec, e.g. <c>synthetic-digits</c> or <c>idx:data/t10k-images-idx3-ubyte.gz,data/t10k-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="options">Split, seed and reader options; defaults when null.</param>
    /// <exception cref="ArgumentException">The spec is empty, has an unknown scheme or lacks its path(s); the message lists the valid forms.</exception>
    /// <exception cref="FileNotFoundException">A named file is missing.</exception>
    /// <exception cref="DirectoryNotFoundException">A named folder is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed (the message names it), or its labels do not fit
    /// <see cref="DataLoadOptions.ClassCount"/>.</exception>
    public static DataSplit Load(string spec, DataLoadOptions? options = null)
    {
        options ??= DataLoadOptions.Default;
        var split = LoadSpec(spec, options);
        if (options.ClassCount is { } declared && split.Train.ClassCount != declared)
        {
            throw new InvalidDataException(
                $"Data '{spec}' has {split.Train.ClassCount} classes, not the {declared} declared; its class count is fixed by the source.");
        }

        return split;
    }

    private static DataSplit LoadSpec(string spec, DataLoadOptions options)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw BadSpec(spec ?? "", "it is empty");
        }

        spec = spec.Trim();
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string scheme = (colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant();
        string argument = colon < 0 ? "" : spec[(colon + 1)..].Trim();
        switch (scheme)
        {
            case "synthetic-digits":
                NoArgument(spec, colon);
                return options.Split.Apply(SyntheticDigits.Generate(options.SyntheticDigitsCount, options.Seed));

            case "synthetic-shapes":
                NoArgument(spec, colon);
                return options.Split.Apply(SyntheticShapes.Generate(options.SyntheticShapesCount, options.Seed));

            case "idx":
            {
                var paths = argument.Split(',', StringSplitOptions.TrimEntries);
                if (paths.Length != 2 || paths.Any(p => p.Length == 0))
                {
                    throw BadSpec(spec, "'idx:' needs an images file and a labels file separated by one comma");
                }

                return options.Split.Apply(IdxReader.Read(Resolve(paths[0], options), Resolve(paths[1], options), options.ClassCount));
            }

            case "mnist":
                return MnistDirectory.Load(Resolve(RequirePath(spec, argument, "folder"), options), options.Split, classCount: options.ClassCount);

            case "cifar10":
                return Cifar10Reader.ReadDirectory(Resolve(RequirePath(spec, argument, "folder"), options));

            case "csv":
                var csv = options.ClassCount is { } classes && options.Csv.ClassCount is null ? options.Csv with { ClassCount = classes } : options.Csv;
                return options.Split.Apply(CsvReader.Read(Resolve(RequirePath(spec, argument, "file"), options), csv).Data);

            default:
                throw BadSpec(spec, $"'{scheme}' is not a known data source");
        }
    }

    /// <summary>
    /// Splits <paramref name="data"/> by index with fractions given as text, e.g. <c>"0.7,0.1,0.2"</c> (the
    /// <c>--split</c> option; see <see cref="SplitFractions.Parse"/>).
    /// </summary>
    /// <exception cref="FormatException">The text is not three valid fractions summing to 1.</exception>
    /// <exception cref="ArgumentException">The data set is too small for the split.</exception>
    public static DataSplit SplitByIndex(InMemoryDataset data, string splitText) => SplitFractions.Parse(splitText).Apply(data);

    private static void NoArgument(string spec, int colon)
    {
        if (colon >= 0)
        {
            throw BadSpec(spec, "synthetic data sets take no argument (set their size and seed in the options)");
        }
    }

    private static string RequirePath(string spec, string argument, string what) =>
        argument.Length > 0 ? argument : throw BadSpec(spec, $"it names no {what} after the colon");

    private static string Resolve(string path, DataLoadOptions options) =>
        options.BaseDirectory is null || Path.IsPathRooted(path) ? path : Path.Combine(options.BaseDirectory, path);

    private static ArgumentException BadSpec(string spec, string problem) =>
        new($"Data spec '{spec}' is not valid: {problem}. Valid forms: {string.Join(", ", ValidForms)}.", "spec");
}

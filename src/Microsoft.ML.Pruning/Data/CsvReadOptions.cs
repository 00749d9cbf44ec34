namespace Microsoft.ML.Pruning.Data;

/// <summary>How <see cref="CsvReader"/> reads a delimited text file of one label column and numeric feature columns.</summary>
public sealed record CsvReadOptions
{
    /// <summary>
    /// The label column's header name (matched exactly first, then ignoring case). Needs a header row; when set it
    /// takes precedence over <see cref="LabelColumnIndex"/>. Default: null (use the index).
    /// </summary>
    public string? LabelColumnName { get; init; }

    /// <summary>
    /// The zero-based label column, used when <see cref="LabelColumnName"/> is null; negative values count from the
    /// end (-1 is the last column). Default: 0, the first column.
    /// </summary>
    public int LabelColumnIndex { get; init; }

    /// <summary>
    /// Whether the first non-blank line is a header. Default: null, detect it: the first line is a header when one
    /// of its feature fields is not a number, or when its label field is not a number but the next line's is.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>The field separator. Default: <c>','</c>. Fields may be double-quoted (a quote inside is written <c>""</c>).</summary>
    public char Separator { get; init; } = ',';

    /// <summary>The image layout of a row's features (e.g. <c>(1, 28, 28)</c>), or null for plain feature vectors. Default: null.</summary>
    public ImageShape? Shape { get; init; }

    /// <summary>
    /// The number of classes, or null to take it from the labels (the largest integer label + 1, or the number of
    /// distinct text labels). When set, integer labels outside <c>0..ClassCount-1</c>, or more distinct text labels
    /// than classes, are refused. Default: null.
    /// </summary>
    public int? ClassCount { get; init; }

    /// <summary>
    /// Whether the label is a value to predict (regression) rather than a class: true or false, or null (the default) to
    /// tell from the labels — values when they are all numbers and either one is not an integer or there are more than
    /// 32 distinct integers and more than a tenth of the rows.
    /// </summary>
    public bool? Regression { get; init; }
}

using System.Globalization;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Reads a classification or regression data set from a delimited text file: one label column and numeric feature columns.
/// </summary>
/// <remarks>
/// <para>Values or classes: labels that are all numbers, with one that is not an integer or more than 32 distinct
/// integers (and more than a tenth of the rows), are regression targets; <see cref="CsvReadOptions.Regression"/>
/// decides instead when set. Everything else is a class.</para>
/// <para>Labels: when every label is a non-negative integer, it is the class index as it is (so <c>0..K-1</c> gives
/// K classes). Otherwise the distinct labels are sorted (numerically when all are integers, by ordinal text order
/// otherwise) and mapped to <c>0..K-1</c>; <see cref="CsvReadResult.ClassNames"/> gives the text of each class.</para>
/// <para>Features are parsed with the invariant culture (a dot as decimal separator) and must be finite. Blank
/// lines are skipped. Every problem in the file is an <see cref="InvalidDataException"/> whose message names the
/// file, the line number (1-based, counting every physical line) and the column.</para>
/// </remarks>
public static class CsvReader
{
    /// <summary>Reads <paramref name="path"/> with <paramref name="options"/> (defaults when null).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a folder.</exception>
    /// <exception cref="InvalidDataException">The file is empty, has no data rows or no feature columns, has rows of
    /// different lengths, a non-numeric, NaN or infinite feature, an empty label, an unterminated quote, a missing
    /// label column, a column count that does not match <see cref="CsvReadOptions.Shape"/>, or labels that do not fit
    /// <see cref="CsvReadOptions.ClassCount"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="CsvReadOptions.LabelColumnName"/> is set while
    /// <see cref="CsvReadOptions.HasHeader"/> is false.</exception>
    public static CsvReadResult Read(string path, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        if (options.LabelColumnName is not null && options.HasHeader == false)
        {
            throw new ArgumentException($"CSV file '{path}': a label column name ('{options.LabelColumnName}') needs a header row, but HasHeader is false.", nameof(options));
        }

        string full = DataFile.RequireExists(path, "CSV file");
        using var reader = new StreamReader(full, detectEncodingFromByteOrderMarks: true);
        using var lines = NonBlankLines(reader).GetEnumerator();
        if (!lines.MoveNext())
        {
            throw new InvalidDataException($"CSV file '{path}' is empty.");
        }

        var line = new CsvLine(path, options.Separator);
        var (firstNumber, firstText) = lines.Current;
        line.Parse(firstText, firstNumber);
        int columnCount = line.Count;
        string[] firstFields = Enumerable.Range(0, columnCount).Select(line.Text).ToArray();

        bool haveSecond = lines.MoveNext();
        int labelColumn = ResolveLabelColumn(path, options, firstFields, firstNumber);
        bool hasHeader = options.HasHeader ?? (options.LabelColumnName is not null || LooksLikeHeader(firstFields, labelColumn, haveSecond ? lines.Current.Text : null, options.Separator));
        string[]? header = hasHeader ? firstFields : null;
        int featureCount = columnCount - 1;
        if (featureCount < 1)
        {
            throw new InvalidDataException($"CSV file '{path}' line {firstNumber} has only the label column; there are no feature columns.");
        }

        if (options.Shape is { } shape && shape.Size != featureCount)
        {
            throw new InvalidDataException(
                $"CSV file '{path}' has {featureCount} feature columns but image shape {shape} needs {shape.Size}.");
        }

        var features = new List<float>();
        var labelIds = new List<int>();
        var labelTexts = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstLineOfLabel = new List<int>();
        void AddRow(int lineNumber)
        {
            if (line.Count != columnCount)
            {
                throw new InvalidDataException(
                    $"CSV file '{path}' line {lineNumber} has {line.Count} columns but line {firstNumber} has {columnCount}; every row needs the same columns.");
            }

            for (int c = 0; c < columnCount; c++)
            {
                if (c == labelColumn)
                {
                    string label = line.Text(c);
                    if (label.Length == 0)
                    {
                        throw new InvalidDataException($"CSV file '{path}' line {lineNumber}, column {Describe(c, header)}: the label is empty.");
                    }

                    if (!labelTexts.TryGetValue(label, out int id))
                    {
                        id = labelTexts.Count;
                        labelTexts.Add(label, id);
                        firstLineOfLabel.Add(lineNumber);
                    }

                    labelIds.Add(id);
                    continue;
                }

                var field = line.Span(c);
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                {
                    string shown = field.Length == 0 ? "an empty field" : $"'{field.ToString()}'";
                    throw new InvalidDataException($"CSV file '{path}' line {lineNumber}, column {Describe(c, header)}: {shown} is not a number.");
                }

                float single = (float)value;
                if (!float.IsFinite(single))
                {
                    throw new InvalidDataException(
                        $"CSV file '{path}' line {lineNumber}, column {Describe(c, header)}: '{field.ToString()}' is not a finite float; features must be finite (no NaN or infinity).");
                }

                features.Add(single);
            }
        }

        if (!hasHeader)
        {
            AddRow(firstNumber);
        }

        if (haveSecond)
        {
            do
            {
                var (number, text) = lines.Current;
                line.Parse(text, number);
                AddRow(number);
            }
            while (lines.MoveNext());
        }

        if (labelIds.Count == 0)
        {
            throw new InvalidDataException($"CSV file '{path}' has a header (line {firstNumber}) but no data rows.");
        }

        var featureNames = header?.Where((_, c) => c != labelColumn).ToArray();
        if (options.Regression ?? LooksLikeValues(labelTexts, labelIds.Count))
        {
            var targets = ReadTargets(path, labelTexts, labelIds, firstLineOfLabel, Describe(labelColumn, header));
            var values = new InMemoryDataset(features.ToArray(), targets, featureCount, options.Shape, Path.GetFileName(path));
            return new CsvReadResult(values, Array.Empty<string>(), featureNames);
        }

        var (classOfId, classNames) = MapLabels(labelTexts);
        if (options.ClassCount is { } declared)
        {
            classNames = FitDeclaredClassCount(path, declared, labelTexts, classOfId, classNames, firstLineOfLabel, Describe(labelColumn, header));
        }

        var labels = new long[labelIds.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = classOfId[labelIds[i]];
        }

        var data = new InMemoryDataset(features.ToArray(), labels, featureCount, options.Shape, classNames.Count, Path.GetFileName(path));
        return new CsvReadResult(data, classNames, featureNames);
    }

    /// <summary>
    /// Checks the labels against a declared class count: integer labels must lie in <c>0..declared-1</c>, and text
    /// labels must be no more than <paramref name="declared"/> distinct values. Returns the names of the declared classes.
    /// </summary>
    private static IReadOnlyList<string> FitDeclaredClassCount(string path, int declared, Dictionary<string, int> labelTexts,
        int[] classOfId, IReadOnlyList<string> names, List<int> firstLineOfLabel, string column)
    {
        if (declared < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(CsvReadOptions.ClassCount), declared, $"A declared class count must be at least 2, not {declared}.");
        }

        bool indices = labelTexts.Keys.All(t => long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= 0 && v < int.MaxValue);
        if (indices)
        {
            var outside = labelTexts.Where(kv => classOfId[kv.Value] >= declared).OrderBy(kv => firstLineOfLabel[kv.Value]).ToList();
            if (outside.Count > 0)
            {
                var (text, id) = outside[0];
                string more = outside.Count > 1 ? $" (labels outside it: {string.Join(", ", outside.Select(o => o.Key))})" : "";
                throw new InvalidDataException(
                    $"CSV file '{path}' line {firstLineOfLabel[id]}, column {column}: label '{text}' is outside 0..{declared - 1}, the {declared} declared classes{more}.");
            }

            return Enumerable.Range(0, declared).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        }

        if (names.Count > declared)
        {
            throw new InvalidDataException(
                $"CSV file '{path}' column {column} holds {names.Count} distinct labels ({string.Join(", ", names.Take(12).Select(n => $"'{n}'"))}{(names.Count > 12 ? ", ..." : "")}) but {declared} classes are declared.");
        }

        return names.Concat(Enumerable.Range(names.Count, declared - names.Count).Select(k => $"class {k}")).ToArray();
    }

    /// <summary>
    /// Labels that are values rather than classes: all numbers, and either one is not an integer or there are more
    /// distinct integers than <see cref="ValueLabelCount"/> and a tenth of the rows (a hundred classes over thousands of
    /// rows stay classes; a few hundred distinct integers over a few hundred rows are values).
    /// </summary>
    private static bool LooksLikeValues(Dictionary<string, int> labelTexts, int rows)
    {
        bool integers = true;
        foreach (string text in labelTexts.Keys)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                return false;
            }

            integers &= value == Math.Floor(value);
        }

        return !integers || labelTexts.Count > Math.Max(ValueLabelCount, rows / 10);
    }

    /// <summary>More distinct integer labels than this (and than a tenth of the rows) make a regression target.</summary>
    public const int ValueLabelCount = 32;

    private static float[] ReadTargets(string path, Dictionary<string, int> labelTexts, List<int> labelIds, List<int> firstLineOfLabel, string column)
    {
        var valueOfId = new float[labelTexts.Count];
        foreach (var (text, id) in labelTexts)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !float.IsFinite((float)value))
            {
                throw new InvalidDataException(
                    $"CSV file '{path}' line {firstLineOfLabel[id]}, column {column}: label '{text}' is not a finite number; regression needs a number in every row.");
            }

            valueOfId[id] = (float)value;
        }

        return labelIds.Select(id => valueOfId[id]).ToArray();
    }

    private static int ResolveLabelColumn(string path, CsvReadOptions options, string[] firstFields, int lineNumber)
    {
        if (options.LabelColumnName is { } name)
        {
            int index = Array.IndexOf(firstFields, name);
            if (index < 0)
            {
                index = Array.FindIndex(firstFields, f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
            }

            return index >= 0
                ? index
                : throw new InvalidDataException(
                    $"CSV file '{path}' has no column named '{name}' in its header (line {lineNumber}); its columns are: {string.Join(", ", firstFields.Select(f => $"'{f}'"))}.");
        }

        int column = options.LabelColumnIndex < 0 ? firstFields.Length + options.LabelColumnIndex : options.LabelColumnIndex;
        if (column < 0 || column >= firstFields.Length)
        {
            throw new InvalidDataException(
                $"CSV file '{path}' line {lineNumber} has {firstFields.Length} columns; label column index {options.LabelColumnIndex} is outside them.");
        }

        return column;
    }

    /// <summary>A header has a non-numeric feature name, or a non-numeric label name above a numeric label.</summary>
    private static bool LooksLikeHeader(string[] first, int labelColumn, string? secondLine, char separator)
    {
        for (int c = 0; c < first.Length; c++)
        {
            if (c != labelColumn && !IsNumber(first[c]))
            {
                return true;
            }
        }

        if (IsNumber(first[labelColumn]) || secondLine is null)
        {
            return false;
        }

        var second = new CsvLine("", separator);
        try
        {
            second.Parse(secondLine, 0);
        }
        catch (InvalidDataException)
        {
            return false; // Reported with its line number when the row itself is read.
        }

        return labelColumn < second.Count && IsNumber(second.Text(labelColumn));
    }

    private static bool IsNumber(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static (int[] ClassOfId, IReadOnlyList<string> Names) MapLabels(Dictionary<string, int> labelTexts)
    {
        var classOfId = new int[labelTexts.Count];
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in labelTexts.Keys)
        {
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                numbers.Clear();
                break;
            }

            numbers[text] = value;
        }

        bool allIntegers = numbers.Count == labelTexts.Count;
        if (allIntegers && numbers.Values.All(v => v >= 0 && v < int.MaxValue))
        {
            // Class indices as they are: "3" is class 3, whatever other labels occur.
            foreach (var (text, id) in labelTexts)
            {
                classOfId[id] = (int)numbers[text];
            }

            long max = numbers.Values.Max();
            var names = Enumerable.Range(0, (int)max + 1).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
            return (classOfId, names);
        }

        var sorted = allIntegers
            ? labelTexts.Keys.OrderBy(t => numbers[t]).ThenBy(t => t, StringComparer.Ordinal).ToArray()
            : labelTexts.Keys.OrderBy(t => t, StringComparer.Ordinal).ToArray();
        for (int k = 0; k < sorted.Length; k++)
        {
            classOfId[labelTexts[sorted[k]]] = k;
        }

        return (classOfId, sorted);
    }

    private static string Describe(int column, string[]? header) =>
        header is null ? $"{column + 1}" : $"{column + 1} ('{header[column]}')";

    private static IEnumerable<(int Number, string Text)> NonBlankLines(TextReader reader)
    {
        int number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (number, text);
            }
        }
    }

    /// <summary>One parsed line: field ranges into the line's text, so numbers are parsed without copying.</summary>
    private sealed class CsvLine
    {
        private readonly string _path;
        private readonly char _separator;
        private readonly List<(int Start, int Length, bool EscapedQuotes)> _fields = new();
        private string _text = "";

        public CsvLine(string path, char separator)
        {
            _path = path;
            _separator = separator;
        }

        public int Count => _fields.Count;

        public ReadOnlySpan<char> Span(int column)
        {
            var (start, length, escaped) = _fields[column];
            return escaped ? Text(column).AsSpan() : _text.AsSpan(start, length);
        }

        public string Text(int column)
        {
            var (start, length, escaped) = _fields[column];
            string text = _text.Substring(start, length);
            return escaped ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
        }

        public void Parse(string text, int lineNumber)
        {
            _text = text;
            _fields.Clear();
            int i = 0;
            while (true)
            {
                SkipSpaces(ref i);
                if (i < text.Length && text[i] == '"')
                {
                    int start = ++i;
                    bool escaped = false;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new InvalidDataException($"CSV file '{_path}' line {lineNumber}, column {_fields.Count + 1}: a quoted field is not closed.");
                        }

                        if (text[i] == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"')
                            {
                                escaped = true;
                                i += 2;
                                continue;
                            }

                            break;
                        }

                        i++;
                    }

                    _fields.Add((start, i - start, escaped));
                    i++;
                    SkipSpaces(ref i);
                    if (i < text.Length && text[i] != _separator)
                    {
                        throw new InvalidDataException($"CSV file '{_path}' line {lineNumber}, column {_fields.Count}: unexpected text after a closing quote.");
                    }
                }
                else
                {
                    int start = i;
                    while (i < text.Length && text[i] != _separator)
                    {
                        i++;
                    }

                    int end = i;
                    while (end > start && char.IsWhiteSpace(text[end - 1]))
                    {
                        end--;
                    }

                    _fields.Add((start, end - start, false));
                }

                if (i >= text.Length)
                {
                    return;
                }

                i++; // past the separator
            }
        }

        private void SkipSpaces(ref int i)
        {
            while (i < _text.Length && _text[i] != _separator && char.IsWhiteSpace(_text[i]))
            {
                i++;
            }
        }
    }
}

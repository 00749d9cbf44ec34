using System.Globalization;
using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// What a checkpoint remembers of the data it was made with: per part (training, validation, test) the row count and a
/// content hash, so a resumed run refuses other data instead of mixing two data sets in one report.
/// </summary>
internal sealed record DataIdentity(IReadOnlyList<(string Part, int Rows, string Hash)> Parts)
{
    public static DataIdentity Of(DataSplit data) => new(new[]
    {
        ("training", data.Train.Count, data.Train.ContentHash()),
        ("validation", data.Validation.Count, data.Validation.ContentHash()),
        ("test", data.Test.Count, data.Test.ContentHash()),
    });

    /// <summary>The identity as one line, for the checkpoint file.</summary>
    public string Serialize() => string.Join(";", Parts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Part}|{p.Rows}|{p.Hash}")));

    /// <summary>Reads what <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not an identity.</exception>
    public static DataIdentity Parse(string text) => new(text.Split(';').Select(part =>
    {
        var fields = part.Split('|');
        return fields.Length == 3 ? (fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]) : throw new FormatException($"'{part}' is not a data identity.");
    }).ToArray());

    /// <summary>What differs between the checkpoint's data (this) and <paramref name="now"/>, one phrase per part; empty when nothing does.</summary>
    public IReadOnlyList<string> Differences(DataIdentity now)
    {
        var differences = new List<string>();
        foreach (var (part, rows, hash) in Parts)
        {
            var other = now.Parts.FirstOrDefault(p => p.Part == part);
            if (other.Part is null)
            {
                differences.Add($"no {part} rows now");
            }
            else if (other.Rows != rows)
            {
                differences.Add($"{rows} {part} rows in the checkpoint but {other.Rows} now");
            }
            else if (other.Hash != hash)
            {
                differences.Add($"the {part} rows differ in content");
            }
        }

        return differences;
    }
}

namespace Microsoft.ML.Pruning.Data;

/// <summary>What <see cref="CsvReader.Read"/> found in a file: the rows, and what the label and feature columns mean.</summary>
/// <param name="Data">The rows, in file order.</param>
/// <param name="ClassNames">The label text of each class index: <c>ClassNames[k]</c> is the label that became class <c>k</c>.</param>
/// <param name="FeatureNames">The header names of the feature columns, in order; null when the file has no header.</param>
public sealed record CsvReadResult(InMemoryDataset Data, IReadOnlyList<string> ClassNames, IReadOnlyList<string>? FeatureNames);

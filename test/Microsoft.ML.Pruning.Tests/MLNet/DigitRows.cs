using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>A row as an ML.NET app would declare it: a text label and a fixed-size feature vector.</summary>
public sealed class DigitRow
{
    public string Label { get; set; } = "";

    [VectorType(784)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>A scored row.</summary>
public sealed class DigitPrediction
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public uint[] PredictedLabel { get; set; } = Array.Empty<uint>();
}

internal static class DigitRows
{
    private static readonly string[] Names = { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" };

    public static List<DigitRow> From(InMemoryDataset data) => Enumerable.Range(0, data.Count)
        .Select(i => new DigitRow { Label = Names[data.Labels[i]], Features = data.Row(i).ToArray() })
        .ToList();
}

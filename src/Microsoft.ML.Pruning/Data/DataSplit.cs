namespace Microsoft.ML.Pruning.Data;

/// <summary>Training, validation and test partitions of one data set.</summary>
/// <param name="Train">Rows the network is trained on.</param>
/// <param name="Validation">Rows used for stopping decisions and model selection.</param>
/// <param name="Test">Held-out rows, reported only.</param>
public sealed record DataSplit(InMemoryDataset Train, InMemoryDataset Validation, InMemoryDataset Test);

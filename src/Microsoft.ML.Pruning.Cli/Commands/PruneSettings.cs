namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>The parsed options of <c>mlnet-prune prune</c>.</summary>
internal sealed record PruneSettings
{
    public string Data { get; init; } = "synthetic-digits";
    public string Architecture { get; init; } = "lenet300";
    public bool ArchitectureGiven { get; init; }
    public string? Model { get; init; }
    public string Method { get; init; } = "icp-if";
    public int Rounds { get; init; } = 10;
    public double Rate { get; init; } = 0.2;
    public int Epochs { get; init; } = 5;
    /// <summary>Null: the default for the network's origin (10 for a built-in architecture, 0 for an imported model).</summary>
    public int? PretrainEpochs { get; init; }
    public string Scope { get; init; } = "layerwise";
    public string Granularity { get; init; } = "weight";
    public string ChannelNorm { get; init; } = "l1";
    /// <summary>auto, on or off: whether model.onnx is compacted (auto: with channel granularity).</summary>
    public string Compact { get; init; } = "auto";

    /// <summary>Whether the exported model is compacted.</summary>
    public bool CompactExport => Compact == "on" || (Compact == "auto" && Granularity == "channel");
    public bool Resume { get; init; }
    public double? Epsilon { get; init; }
    public string Pq { get; init; } = "1,2";
    public double? CheckEvery { get; init; }
    public string Protocol { get; init; } = "default";
    public string Storage { get; init; } = "auto";
    public long Seed { get; init; } = 1;
    public string OutputDirectory { get; init; } = "mlnet-prune-out";
    public bool Json { get; init; }
    public string Split { get; init; } = "0.7,0.1,0.2";
    public string Optimizer { get; init; } = "adam";
    public double? LearningRate { get; init; }
    public int BatchSize { get; init; } = 60;
    public int? ClassCount { get; init; }
    public string? InputShape { get; init; }
    /// <summary>--label: the label column of a csv: file, by header name; null for the first column.</summary>
    public string? Label { get; init; }
    /// <summary>--task: multiclass, binary or regression; null to tell from the labels.</summary>
    public string? Task { get; init; }
    /// <summary>Standardise a csv: file's features (and regression targets) on the training rows, in the ONNX graph too.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>How to measure the exported model against its dense counterpart; null: not measured (--measure-runs 0).</summary>
    public Onnx.OnnxMeasurementOptions? Measurement { get; init; } = new();
}

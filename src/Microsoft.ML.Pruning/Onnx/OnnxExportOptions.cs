using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tasks;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>Options of <see cref="OnnxExporter"/>: how weights are stored and which metadata the file carries.</summary>
public sealed record OnnxExportOptions
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary>How prunable weights are stored; <see cref="OnnxStorage.Dense"/> by default (readable by every ONNX tool).</summary>
    public OnnxStorage Storage { get; init; } = OnnxStorage.Dense;

    /// <summary>
    /// Key/value pairs written to the model's <c>metadata_props</c> (ONNX Runtime: <c>ModelMetadata.CustomMetadataMap</c>).
    /// Empty by default; <see cref="OnnxExporter.MetadataFrom"/> makes the pruning run's figures.
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>A human-readable description stored as the model's <c>doc_string</c>; when null, the network's layer summary.</summary>
    public string? Description { get; init; }

    /// <summary>The model's <c>model_version</c> (an integer the producer may bump on each export); 1 by default.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>The task whose output head ends a scoring graph (softmax and arg-max, sigmoid and threshold, or the
    /// value; see <c>docs/onnx-format.md</c>); null (the default) for multiclass over the network's outputs.</summary>
    public PredictionTask? Task { get; init; }

    /// <summary>Standardisation applied to the features in training; the scoring graph starts with the same
    /// <c>Sub</c>/<c>Div</c>, so it takes raw features. Null (the default) for none.</summary>
    public Standardization? InputStandardization { get; init; }

    /// <summary>Standardisation applied to regression targets in training; the scoring graph ends with the inverse
    /// (<c>Mul</c>/<c>Add</c>), so its <c>Score</c> is a raw value. Null (the default) for none.</summary>
    public Standardization? OutputStandardization { get; init; }

    /// <summary>
    /// Writes the network physically smaller (<see cref="Pruning.NetworkCompactor"/>): channels removed by channel
    /// pruning and units left dead by weight pruning are gone, their constant outputs folded into the next layer's bias,
    /// so Gemm, Conv and BatchNormalization run on smaller dense tensors and the model scores faster. Default false: the
    /// graph keeps the network's shapes. An imported graph is written as the same graph with smaller weights: the channels no
    /// layer reads (those channel pruning removed) are gone; units left dead by weight pruning stay there.
    /// </summary>
    public bool Compact { get; init; }
}

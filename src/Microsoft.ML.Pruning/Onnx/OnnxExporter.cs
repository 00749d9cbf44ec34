using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.IO;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Writes a <see cref="PrunableNetwork"/> as an ONNX model (TorchSharp has no ONNX export). A built-in network
/// (<see cref="LayerNetwork"/>) becomes a graph with input <c>Features</c> float <c>[N, F]</c> and outputs <c>Score</c>
/// (softmax probabilities) float <c>[N, classes]</c> and <c>PredictedLabel</c> (the 0-based index of the highest score)
/// int64 <c>[N]</c>, IR version 8, opset 17. An imported network (<see cref="OnnxGraphNetwork"/>) is written back as the
/// user's own graph with its current weights (<see cref="Export"/>), or with the standard interface above
/// (<see cref="ExportForScoring"/>).
/// </summary>
/// <remarks>
/// <para>Layers map to operators one to one: Linear → <c>Gemm</c> (transB = 1), Conv2d → <c>Conv</c>, BatchNorm →
/// <c>BatchNormalization</c> with the running statistics (evaluation mode), ReLU → <c>Relu</c>, pooling →
/// <c>MaxPool</c> / <c>AveragePool</c>, GlobalAvgPool → <c>GlobalAveragePool</c> + <c>Flatten</c>, Flatten →
/// <c>Flatten</c> (axis 1), Reshape → <c>Reshape</c> to <c>[N, C, H, W]</c>, a residual block → its paths, <c>Add</c>
/// and <c>Relu</c>; Dropout (the identity at inference) is left out. The scores equal those of the network in evaluation
/// mode followed by a softmax, to float rounding.</para>
/// <para>Prunable weights are stored dense or sparse (a <c>Constant</c> node with <c>sparse_value</c>, see
/// <see cref="OnnxStorage"/>). ONNX Runtime makes sparse weights dense at load, so sparse storage shrinks the file, not
/// memory use or scoring time. See <c>docs/onnx-format.md</c>.</para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The graph input: float <c>[N, F]</c>, one flat row of features per example.</summary>
    public const string InputName = "Features";

    /// <summary>The first graph output: float <c>[N, classes]</c>, softmax probabilities (ML.NET's <c>Score</c>).</summary>
    public const string ScoreName = "Score";

    /// <summary>The binary classifier's probability output: float <c>[N, 1]</c>, the sigmoid of <see cref="ScoreName"/>.</summary>
    public const string ProbabilityName = "Probability";

    /// <summary>The predicted label: multiclass int64 <c>[N]</c>, the 0-based class index with the highest score; binary
    /// bool <c>[N, 1]</c>, the logit is above 0.</summary>
    public const string PredictedLabelName = "PredictedLabel";

    /// <summary>The ONNX IR version written (8: read by ONNX Runtime 1.10 and later).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default (<c>ai.onnx</c>) operator set the graph uses.</summary>
    public const long OpsetVersion = 17;

    /// <summary>The model's <c>producer_name</c>.</summary>
    public const string ProducerName = "Microsoft.ML.Pruning";

    /// <summary>The model's <c>producer_version</c>: this library's version.</summary>
    public static string ProducerVersion { get; } = ReadVersion();

    /// <summary>Writes <paramref name="network"/> as an ONNX model and returns the file's bytes.</summary>
    /// <remarks>For an imported network this is the user's own graph — node names, input and output names and shapes,
    /// opset — with the network's current weights, biases and batch-norm statistics and this library's metadata, so code
    /// that scored the original scores it unchanged (see <c>docs/import.md</c>).</remarks>
    /// <param name="network">The network; read, not changed (its training mode does not matter: the graph is the evaluation-mode network).</param>
    /// <param name="options">Storage and metadata; defaults when null.</param>
    /// <exception cref="NotSupportedException">The network holds a layer kind the writer cannot express (see <see cref="EnsureExportable"/>).</exception>
    public static byte[] Export(PrunableNetwork network, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        return CreateModel(network, options ?? new OnnxExportOptions()).ToByteArray();
    }

    /// <summary>
    /// Writes <paramref name="network"/> with the standard scoring interface ML.NET's scoring uses: input <c>Features</c>
    /// float <c>[N, F]</c>, outputs <c>Score</c> and <c>PredictedLabel</c>. The same as <see cref="Export"/> for a built-in
    /// network; for an imported one, the flat rows are reshaped to its input, its nodes run up to the logits (a final
    /// Softmax/LogSoftmax is left out) and the standard head follows.
    /// </summary>
    /// <param name="network">The network; read, not changed.</param>
    /// <param name="options">Storage and metadata; defaults when null.</param>
    public static byte[] ExportForScoring(PrunableNetwork network, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OnnxExportOptions();
        CheckOptions(options);
        if (network is not OnnxGraphNetwork imported)
        {
            return CreateModel(network, options).ToByteArray();
        }

        var model = ScoringGraphWriter.CreateModel(imported, options);
        OnnxStandardizationSteps.Apply(model.Graph, options);
        return model.ToByteArray();
    }

    /// <summary>
    /// Writes <paramref name="network"/> as an ONNX model to <paramref name="path"/>, atomically: readers see the old
    /// file or the complete new one, and no temporary file is left behind, even on failure.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    /// <param name="options">Storage and metadata; defaults when null.</param>
    /// <exception cref="IOException">The file cannot be written; the message names the path.</exception>
    /// <exception cref="NotSupportedException">The network holds a layer kind the writer cannot express.</exception>
    public static void Save(PrunableNetwork network, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var model = CreateModel(network, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>
    /// Checks that every layer of <paramref name="definition"/> (inside residual blocks too) has an ONNX mapping, so a
    /// training run can be refused before it starts rather than fail at export.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no mapping; the message names the layer's path and its type.</exception>
    public static void EnsureExportable(NetworkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CheckLayers(definition.Name, definition.Layers, prefix: "");
    }

    /// <summary>
    /// Metadata describing a pruning run, for <see cref="OnnxExportOptions.Metadata"/>: producer, method,
    /// architecture, seed, rounds, overall and per-layer sparsity, dense and final accuracies, epochs (keys in
    /// <see cref="OnnxMetadataKeys"/>).
    /// </summary>
    /// <param name="report">The run's report.</param>
    /// <param name="masks">The exported network's masks; when given, the sparsity figures are measured from them,
    /// otherwise taken from the report (the final figures, or the last round's per-layer ones).</param>
    public static IReadOnlyDictionary<string, string> MetadataFrom(PruningReport report, MaskSet? masks = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OnnxMetadataKeys.Producer] = $"{ProducerName} {ProducerVersion}",
            [OnnxMetadataKeys.Method] = report.Method,
            [OnnxMetadataKeys.Architecture] = report.Architecture,
            [OnnxMetadataKeys.Seed] = report.Seed.ToString(c),
            [OnnxMetadataKeys.Rounds] = report.Rounds.Count.ToString(c),
            [OnnxMetadataKeys.Task] = report.Task,
            [OnnxMetadataKeys.Metric] = report.Metric,
        };

        double? sparsity = masks?.Sparsity ?? report.Final?.Sparsity ?? (report.Rounds.Count > 0 ? report.Rounds[^1].Sparsity : null);
        if (sparsity is { } s)
        {
            metadata[OnnxMetadataKeys.Sparsity] = Number(s);
        }

        var layers = masks?.LayerSparsity() ?? (report.Rounds.Count > 0 ? report.Rounds[^1].LayerSparsity : null);
        foreach (var (layer, value) in layers ?? new Dictionary<string, double>())
        {
            metadata[OnnxMetadataKeys.LayerSparsityPrefix + layer] = Number(value);
        }

        if (report.Dense is { } dense)
        {
            metadata[OnnxMetadataKeys.DenseValMetric] = Number(dense.ValMetric);
            metadata[OnnxMetadataKeys.DenseTestMetric] = Number(dense.TestMetric);
            metadata[OnnxMetadataKeys.DenseEpochs] = dense.Epochs.ToString(c);
        }

        if (report.Final is { } final)
        {
            metadata[OnnxMetadataKeys.FinalValMetric] = Number(final.ValMetric);
            metadata[OnnxMetadataKeys.FinalTestMetric] = Number(final.TestMetric);
        }

        metadata[OnnxMetadataKeys.TotalEpochs] = Number(report.TotalEpochs);
        return metadata;
    }

    /// <summary>The layer-list check behind <see cref="EnsureExportable(NetworkDefinition)"/>; also reachable with layer kinds
    /// a <see cref="NetworkDefinition"/> would refuse, so its default branch can be tested.</summary>
    internal static void CheckLayers(string network, IReadOnlyList<LayerSpec> layers, string prefix)
    {
        foreach (var layer in layers)
        {
            switch (layer)
            {
                // Keep in step with OnnxGraphBuilder.Emit: every kind listed here has a mapping there.
                case LinearLayer or Conv2dLayer or BatchNormLayer or ReluLayer or MaxPool2dLayer or AvgPool2dLayer
                    or GlobalAvgPoolLayer or FlattenLayer or DropoutLayer or ReshapeLayer:
                    break;
                case ResidualBlock block:
                    CheckLayers(network, block.Main, prefix + block.Name + ".");
                    CheckLayers(network, block.Shortcut, prefix + block.Name + ".");
                    break;
                default:
                    throw OnnxGraphBuilder.Unsupported(network, prefix + layer.Name, layer);
            }
        }
    }

    /// <summary>Builds the model message (used by the tests to look inside without parsing bytes back).</summary>
    internal static ModelProto CreateModel(PrunableNetwork network, OnnxExportOptions options)
    {
        CheckOptions(options);
        if (network is OnnxGraphNetwork imported)
        {
            return ImportedGraphWriter.CreateModel(imported, options);
        }

        if (network is not LayerNetwork layered)
        {
            throw new NotSupportedException($"Network '{network.Source.Name}' is a {network.GetType().Name}, which the ONNX writer cannot express.");
        }

        if (options.Compact)
        {
            using var compact = NetworkCompactor.Compact(layered);
            return CreateModel(compact, options with { Compact = false });
        }

        var definition = layered.Definition;
        EnsureExportable(definition);

        var state = network.state_dict(); // the live parameters and buffers: read, never disposed here
        (long[] Shape, float[] Values) Read(string key)
        {
            if (!state.TryGetValue(key, out var tensor))
            {
                throw new InvalidOperationException($"Network '{definition.Name}' has no state tensor '{key}' for its ONNX graph.");
            }

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            return (cpu.shape.ToArray(), cpu.data<float>().ToArray());
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            ModelVersion = options.ModelVersion,
            DocString = options.Description ?? definition.Describe(),
            Graph = new OnnxGraphBuilder(definition, Read, options.Storage, options.Task).Build(),
        };
        OnnxStandardizationSteps.Apply(model.Graph, options);
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in options.Metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key ?? "", Value = value ?? "" });
        }

        return model;
    }

    private static void CheckOptions(OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Storage))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Storage, "Unknown ONNX storage mode.");
        }

        ArgumentNullException.ThrowIfNull(options.Metadata, nameof(options.Metadata));
    }

    private static string ReadVersion()
    {
        var assembly = typeof(OnnxExporter).Assembly;
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString();
        // Drop any "+commit" build suffix: the version is for people and tools, not for tracing builds.
        return version is null ? "0.0.0" : version.Split('+')[0];
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// A trained classifier read from an ONNX file (e.g. made by <c>torch.onnx.export</c> or tf2onnx), as a network the
/// pruning engine prunes: its Gemm, MatMul and Conv weights are the prunable layers, and pruning starts from the
/// imported weights. <see cref="Onnx.OnnxExporter"/> writes the pruned network back as the same graph.
/// </summary>
/// <remarks>
/// <para>The whole model is checked when it is read: every operator, attribute, element type and weight. Anything the
/// importer cannot run or train is refused with an <see cref="ArgumentException"/> that names the node, its operator
/// and what is supported, before any training. The graph is also run once on a small batch, so shape errors surface
/// here too. See <c>docs/import.md</c> for the operators and what each becomes.</para>
/// <para>Input rows are flat: <see cref="InputFeatures"/> values, reshaped to the model input's shape
/// (<see cref="InputShape"/>, after the batch dimension). A final Softmax or LogSoftmax is left out in training: the
/// network returns its input, the logits.</para>
/// </remarks>
public sealed class OnnxModelSource : INetworkSource
{
    private const int DryRunRows = 2;
    private readonly ImportedGraph _graph;
    private readonly string _hash;
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private ImportedChannelGroups? _channels;

    private OnnxModelSource(ImportedGraph graph, byte[] bytes)
    {
        _graph = graph;
        _hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        PrunableLayers = graph.Layers.Select(l => l.Info).ToList().AsReadOnly();
        ParameterCount = graph.Tensors.Where(t => t.Role is ImportedTensorRole.PrunableWeight or ImportedTensorRole.Parameter).Sum(t => t.Value.Count);
        PrunableWeightCount = PrunableLayers.Sum(l => l.WeightCount);
    }

    /// <summary>Reads and checks the ONNX model at <paramref name="path"/>; its file name becomes <see cref="Name"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    /// <exception cref="ArgumentException">The model holds something the importer cannot run or train; the message names
    /// the node, its operator and what is supported.</exception>
    public static OnnxModelSource Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such ONNX model: {path}", path);
        }

        return FromBytes(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Reads and checks an ONNX model from its serialised bytes.</summary>
    /// <param name="bytes">The model file's contents (copied: later changes to the array do not matter).</param>
    /// <param name="name">A short name for messages and reports (e.g. the file name).</param>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    /// <exception cref="ArgumentException">The model holds something the importer cannot run or train.</exception>
    public static OnnxModelSource FromBytes(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{name}' is not an ONNX model ({e.Message}).", e);
        }

        if (model.IrVersion <= 0 || model.Graph is null)
        {
            throw new InvalidDataException($"'{name}' is not an ONNX model (no IR version or no graph).");
        }

        var source = new OnnxModelSource(GraphAnalyzer.Analyze(model, name), bytes);
        source.DryRun();
        return source;
    }

    /// <summary>The model's name (the file name when loaded from a file).</summary>
    public string Name => _graph.Name;

    /// <summary>The number of features of a flat input row: the product of <see cref="InputShape"/>.</summary>
    public int InputFeatures => _graph.InputFeatures;

    /// <summary>The number of classes: the width of the logits.</summary>
    public int OutputWidth { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<PrunableLayerInfo> PrunableLayers { get; }

    /// <summary>Always true: the network starts from the imported weights.</summary>
    public bool HasTrainedWeights => true;

    /// <summary>The model input's name.</summary>
    public string InputName => _graph.InputName;

    /// <summary>The model input's dimensions after the batch dimension, e.g. <c>[784]</c> or <c>[1, 28, 28]</c>.</summary>
    public IReadOnlyList<long> InputShape => _graph.InputDims;

    /// <summary>The model output's name.</summary>
    public string OutputName => _graph.OutputName;

    /// <summary>"Softmax" or "LogSoftmax" when the model ends with one (left out in training), else null: the output is
    /// the logits.</summary>
    public string? FinalActivation => _graph.FinalActivation?.OpType;

    /// <summary>The model's version of the default ONNX operator set.</summary>
    public long OpsetVersion => _graph.Opset;

    /// <summary>The number of trained parameters: weights, biases, batch-norm scales and shifts (not running statistics).</summary>
    public long ParameterCount { get; }

    /// <summary>The number of prunable weights (the Gemm, MatMul and Conv weights).</summary>
    public long PrunableWeightCount { get; }

    internal ImportedGraph Graph => _graph;

    /// <summary>The channel groups of the graph (derived once, on first use, from the shapes the check at import recorded).</summary>
    internal ImportedChannelGroups Channels => LazyInitializer.EnsureInitialized(ref _channels, () => ChannelGraphAnalyzer.Analyze(_graph, _shapes));

    /// <summary>The shape of each computed value on a batch of <c>N</c> rows (-1 stands for N), from the check at import.</summary>
    internal IReadOnlyDictionary<string, long[]> ValueShapes => _shapes;

    /// <summary>Makes the network with the imported weights, in training mode, on <paramref name="device"/> (the CPU when null).</summary>
    /// <param name="seed">Ignored: the weights are the model's.</param>
    /// <param name="device">Where the parameters live.</param>
    public PrunableNetwork Build(long seed, Device? device = null) => BuildGraphNetwork(device);

    /// <summary>A table of the computed nodes with their operators and output shapes, and the model's fingerprint
    /// (part of the checkpoint's network identity: a checkpoint resumes on the same model only).</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        string final = _graph.FinalActivation is { } f ? $" after a final {f.OpType} (training uses its input '{_graph.LogitsName}')" : "";
        text.AppendLine(string.Create(c, $"{Name}: ONNX model (opset {OpsetVersion}, SHA-256 {_hash}), input '{InputName}' {Shape(_graph.InputName)} = {InputFeatures} features, "
            + $"output '{OutputName}' [N, {OutputWidth}]{final}; {ParameterCount:N0} parameters ({PrunableWeightCount:N0} prunable weights)"));
        var layers = _graph.Layers.ToDictionary(l => l.NodeIndex);
        foreach (int i in _graph.ExecutedNodes)
        {
            var node = _graph.Nodes[i];
            if (node.OpType == "Constant" || _graph.Constants.ContainsKey(node.Output[0]))
            {
                continue;
            }

            string detail = layers.TryGetValue(i, out var layer)
                ? $"prunable {layer.Info.Kind} [{string.Join(", ", layer.Info.WeightShape)}]{(layer.Info.OnMainPath ? "" : ", shortcut")}"
                : "";
            text.AppendLine(string.Create(c, $"  {ImportErrors.Label(node, i).Trim('\''),-36} {node.OpType,-20} -> {Shape(node.Output[0]),-18} {detail}").TrimEnd());
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} (ONNX model, {InputFeatures} features -> {OutputWidth} classes, {ParameterCount:N0} parameters)");

    internal OnnxGraphNetwork BuildGraphNetwork(Device? device)
    {
        TorchSharpNativeLoader.EnsureLoaded();
        var network = new OnnxGraphNetwork(this, _graph, device);
        network.train();
        return network;
    }

    /// <summary>Runs the graph on batches of two and three rows: every node must run, the logits must be
    /// <c>[N, classes]</c> for both, and the value shapes are recorded (a dimension that follows the batch becomes -1).</summary>
    private void DryRun()
    {
        TorchSharpNativeLoader.EnsureLoaded(); // before the first TorchSharp call, which the scope below is
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var network = BuildGraphNetwork(null);
        network.eval();
        var first = Shapes(network, DryRunRows);
        var second = Shapes(network, DryRunRows + 1);
        foreach (var (value, shape) in first)
        {
            var other = second[value];
            _shapes[value] = shape.Length == other.Length ? shape.Select((d, k) => d == other[k] ? d : -1).ToArray() : shape;
        }

        var logits = first[_graph.LogitsName];
        if (logits.Length != 2 || logits[0] != DryRunRows || second[_graph.LogitsName][0] != DryRunRows + 1 || logits[1] < 1)
        {
            string what = _graph.FinalActivation is null ? $"output '{OutputName}'" : $"input '{_graph.LogitsName}' of the final {_graph.FinalActivation.OpType}";
            throw ImportErrors.Model(Name, $"{what} has shape [{string.Join(", ", logits)}] for a batch of {DryRunRows}; a classifier's must be [N, classes].");
        }

        OutputWidth = checked((int)logits[1]);
    }

    private Dictionary<string, long[]> Shapes(OnnxGraphNetwork network, int rows)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        try
        {
            network.Execute(torch.zeros(rows, InputFeatures), null, frame =>
            {
                foreach (var (value, slot) in _graph.Slots)
                {
                    if (frame.Slots[slot] is { } tensor)
                    {
                        shapes[value] = tensor.shape;
                    }
                }
            });
        }
        catch (InvalidOperationException e) when (e.InnerException is not null)
        {
            throw new ArgumentException($"{e.Message} (while checking the graph on a batch of {rows} rows)", e);
        }

        return shapes;
    }

    private string Shape(string value) =>
        _shapes.TryGetValue(value, out var shape) ? "[" + string.Join(", ", shape.Select((d, k) => d < 0 || (k == 0 && value == InputName) ? "N" : d.ToString(CultureInfo.InvariantCulture))) + "]" : "";
}

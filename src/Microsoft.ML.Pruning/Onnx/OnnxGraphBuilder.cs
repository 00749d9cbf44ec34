using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Translates a <see cref="NetworkDefinition"/> and its weights into an ONNX graph (opset <see cref="OnnxExporter.OpsetVersion"/>):
/// input <c>Features</c> float [N, F], then the task's output head (<see cref="OnnxOutputHead"/>).
/// </summary>
/// <remarks>
/// Names: each layer's node and output value are named by its module path (<c>fc1</c>, <c>stage2_block0.conv1</c>), its
/// initializers by its state keys (<c>fc1.weight</c>, <c>conv1_bn.running_var</c>). Helper values and nodes a layer needs
/// besides its own get a <c>/</c> suffix (<c>reshape/shape</c>, <c>stage1_block0/add</c>): layer names cannot hold a
/// <c>/</c>, so these never clash with a layer.
/// </remarks>
internal sealed class OnnxGraphBuilder
{
    private static readonly HashSet<string> ReservedValueNames = new(StringComparer.Ordinal)
    {
        OnnxExporter.InputName, OnnxExporter.ScoreName, OnnxExporter.ProbabilityName, OnnxExporter.PredictedLabelName,
    };

    private readonly NetworkDefinition _definition;
    private readonly Func<string, (long[] Shape, float[] Values)> _readTensor;
    private readonly OnnxStorage _storage;
    private readonly Tasks.PredictionTask? _task;
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _prunableWeights;

    /// <param name="definition">The network.</param>
    /// <param name="readTensor">Reads a state tensor (shape and float32 values, row-major) by its state key.</param>
    /// <param name="storage">How prunable weights are stored.</param>
    /// <param name="task">The task whose output head ends the graph; null for multiclass.</param>
    public OnnxGraphBuilder(NetworkDefinition definition, Func<string, (long[] Shape, float[] Values)> readTensor, OnnxStorage storage, Tasks.PredictionTask? task = null)
    {
        _task = task;
        _definition = definition;
        _readTensor = readTensor;
        _storage = storage;
        _prunableWeights = definition.PrunableLayers.Select(p => p.Name + ".weight").ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Builds the graph.</summary>
    public GraphProto Build()
    {
        _graph.Name = _definition.Name;
        _graph.Input.Add(TensorValue(OnnxExporter.InputName, TensorProto.Types.DataType.Float, Dim("N"), Dim(_definition.InputFeatures)));

        string logits = Emit(_definition.Layers, OnnxExporter.InputName, prefix: "");

        // Layer names cannot hold a '/', so the head's node names never clash with a layer's.
        OnnxOutputHead.Emit(_graph, logits, _task, _definition.ClassCount, name => name);
        return _graph;
    }

    /// <summary>The exception for a layer kind the writer has no mapping for.</summary>
    public static NotSupportedException Unsupported(string network, string path, LayerSpec layer) =>
        new($"Network '{network}' cannot be exported to ONNX: layer '{path}' is a {layer.GetType().Name} ({layer.Describe()}), " +
            "a layer kind the ONNX writer has no mapping for. Use the built-in layer kinds (Linear, Conv2d, BatchNorm, ReLU, " +
            "MaxPool2d, AvgPool2d, GlobalAvgPool, Flatten, Dropout, Reshape, ResidualBlock).");

    private string Emit(IReadOnlyList<LayerSpec> layers, string input, string prefix)
    {
        string x = input;
        foreach (var layer in layers)
        {
            x = Emit(layer, x, prefix);
        }

        return x;
    }

    private string Emit(LayerSpec layer, string x, string prefix)
    {
        string path = prefix + layer.Name;
        string output = ValueName(path);
        switch (layer)
        {
            case LinearLayer linear:
                // y = x W^T + b: Gemm with transB, the weight kept in PyTorch's [out, in] layout.
                Node("Gemm", path, Inputs(x, Weight(path), linear.Bias ? Dense(path + ".bias") : null), output, Int("transB", 1));
                return output;

            case Conv2dLayer conv:
                Node("Conv", path, Inputs(x, Weight(path), conv.Bias ? Dense(path + ".bias") : null), output,
                    Ints("kernel_shape", conv.KernelSize, conv.KernelSize),
                    Ints("strides", conv.Stride, conv.Stride),
                    Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding),
                    Ints("dilations", 1, 1),
                    Int("group", 1));
                return output;

            case BatchNormLayer norm:
                // Evaluation mode: normalise with the running statistics (training_mode 0, the default). Works on
                // [N, C] (BatchNorm1d) and [N, C, H, W] (BatchNorm2d) alike: ONNX normalises over axis 1.
                Node("BatchNormalization", path,
                    new[] { x, Dense(path + ".weight"), Dense(path + ".bias"), Dense(path + ".running_mean"), Dense(path + ".running_var") },
                    output, Float("epsilon", (float)norm.Epsilon), Float("momentum", 1f - (float)norm.Momentum));
                return output;

            case ReluLayer:
                Node("Relu", path, new[] { x }, output);
                return output;

            case MaxPool2dLayer pool:
                Node("MaxPool", path, new[] { x }, output, Ints("kernel_shape", pool.KernelSize, pool.KernelSize), Ints("strides", pool.Stride, pool.Stride));
                return output;

            case AvgPool2dLayer pool:
                Node("AveragePool", path, new[] { x }, output, Ints("kernel_shape", pool.KernelSize, pool.KernelSize), Ints("strides", pool.Stride, pool.Stride));
                return output;

            case GlobalAvgPoolLayer:
                // GlobalAveragePool keeps [N, C, 1, 1]; the network's layer is already flat [N, C].
                Node("GlobalAveragePool", path, new[] { x }, path + "/pool");
                Node("Flatten", path + "/flatten", new[] { path + "/pool" }, output, Int("axis", 1));
                return output;

            case FlattenLayer:
                Node("Flatten", path, new[] { x }, output, Int("axis", 1));
                return output;

            case DropoutLayer:
                // The identity at inference: no node at all.
                return x;

            case ReshapeLayer reshape:
            {
                // 0 copies the batch dimension from the input, so any N (even 0) works.
                string shape = path + "/shape";
                _graph.Initializer.Add(OnnxTensors.Int64(shape, new long[] { 4 }, new long[] { 0, reshape.Shape.Channels, reshape.Shape.Height, reshape.Shape.Width }));
                Node("Reshape", path, new[] { x, shape }, output);
                return output;
            }

            case ResidualBlock block:
            {
                string inner = path + ".";
                string main = Emit(block.Main, x, inner);
                string shortcut = block.HasIdentityShortcut ? x : Emit(block.Shortcut, x, inner);
                Node("Add", path + "/add", new[] { main, shortcut }, path + "/add");
                Node("Relu", path + "/relu", new[] { path + "/add" }, output);
                return output;
            }

            default:
                throw Unsupported(_definition.Name, path, layer);
        }
    }

    /// <summary>A layer's output value name: its path, unless that is one of the graph's input or output names.</summary>
    private static string ValueName(string path) => ReservedValueNames.Contains(path) ? path + "/out" : path;

    private static string[] Inputs(params string?[] names) => names.Where(n => n is not null).Select(n => n!).ToArray();

    /// <summary>Adds a prunable weight, stored as <see cref="_storage"/> says.</summary>
    private string Weight(string path)
    {
        string key = path + ".weight";
        var (shape, values) = _readTensor(key);
        OnnxWeightStorage.Add(_graph, key, shape, values, _prunableWeights.Contains(key) ? _storage : OnnxStorage.Dense);
        return key;
    }

    /// <summary>Adds a dense float initializer from the state tensor <paramref name="key"/>.</summary>
    private string Dense(string key)
    {
        var (shape, values) = _readTensor(key);
        _graph.Initializer.Add(OnnxTensors.Float(key, shape, values));
        return key;
    }

    private void Node(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    private static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    private static ValueInfoProto TensorValue(string name, TensorProto.Types.DataType type, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}

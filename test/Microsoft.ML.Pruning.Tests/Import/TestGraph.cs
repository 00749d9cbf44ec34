using Google.Protobuf;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>Builds small ONNX models by hand (one input with a symbolic batch dimension, one output), with seeded
/// random constants, to check single operators against ONNX Runtime.</summary>
internal sealed class TestGraph
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly Random _random;
    private readonly long _opset;
    private int _next;

    public TestGraph(long opset, long[] inputDims, string inputName = "x", int seed = 3)
    {
        _opset = opset;
        _random = new Random(seed);
        Input = inputName;
        _graph.Input.Add(Value(inputName, TensorProto.Types.DataType.Float, inputDims.Select(d => (long?)d).Prepend(null).ToArray()));
    }

    /// <summary>The graph input's name.</summary>
    public string Input { get; }

    /// <summary>A float initializer with seeded values in [low, high).</summary>
    public string Weight(long[] dims, double low = -0.5, double high = 0.5, string? name = null)
    {
        name ??= $"w{_next++}";
        long count = dims.Aggregate(1L, (a, d) => a * d);
        var values = Enumerable.Range(0, (int)count).Select(_ => (float)(low + (high - low) * _random.NextDouble())).ToArray();
        _graph.Initializer.Add(OnnxTensors.Float(name, dims, values));
        return name;
    }

    /// <summary>An int64 initializer.</summary>
    public string Longs(params long[] values)
    {
        string name = $"i{_next++}";
        _graph.Initializer.Add(OnnxTensors.Int64(name, new long[] { values.Length }, values));
        return name;
    }

    /// <summary>A node with one output (named after the node); returns the output's name.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes)[0];

    public string[] Node(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        string name = $"{op.ToLowerInvariant()}{_next++}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(k => k == 0 ? name + "_out" : $"{name}_out{k}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    /// <summary>Flatten to [N, rest] and a Gemm to <paramref name="classes"/> outputs: makes any value a classifier's output.</summary>
    public string Classifier(string x, long features, int classes = 10) =>
        Node("Gemm", new[] { Node("Flatten", new[] { x }, Int("axis", 1)), Weight(new[] { classes, features }), Weight(new long[] { classes }) }, Int("transB", 1));

    public byte[] Build(string output)
    {
        _graph.Output.Add(Value(output, TensorProto.Types.DataType.Float, null));
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return model.ToByteArray();
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    /// <summary>A value description; dims null for an unknown shape, a null entry for the symbolic batch "N".</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, long?[]? dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            tensor.Shape.Dim.AddRange(dims.Select(d => d is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "N" }));
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}

using Google.Protobuf;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>Small hand-built ONNX graphs with known arithmetic, in the forms other exporters write.</summary>
internal static class OnnxTestGraphs
{
    /// <summary>
    /// PyTorch's shape of a small CNN: <c>x</c> [N, 1, 4, 4] → Conv (2 filters 3×3, pads 1) → Relu → the dynamic flatten
    /// <c>x.view(x.size(0), -1)</c> as <c>torch.onnx.export</c> writes it (Shape → Gather → Unsqueeze → Concat → Reshape) →
    /// Gemm (3 × 32, transB) → MatMul (3 × 2) → <c>y</c> [N, 2]. MACs per row: Conv 2·4·4·9 = 288, Gemm 3·32 = 96,
    /// MatMul 3·2 = 6. The conv weight keeps 6 of its 18 entries, the Gemm weight 24 of its 96, the MatMul weight all 6.
    /// </summary>
    /// <param name="storage">How the three weights are stored.</param>
    /// <param name="batch">The input's first dimension: null for a symbolic "N", else fixed.</param>
    public static byte[] ConvFlattenGemm(OnnxStorage storage, long? batch = null)
    {
        var graph = new GraphProto { Name = "conv_flatten_gemm" };
        graph.Input.Add(Value("x", TensorProto.Types.DataType.Float, batch, 1, 4, 4));
        graph.Output.Add(Value("y", TensorProto.Types.DataType.Float, batch, 2));
        OnnxWeightStorage.Add(graph, "conv.weight", new long[] { 2, 1, 3, 3 }, Weights(18, keepEvery: 3), storage);
        graph.Initializer.Add(OnnxTensors.Float("conv.bias", new long[] { 2 }, new float[] { 0.1f, -0.2f }));
        OnnxWeightStorage.Add(graph, "fc.weight", new long[] { 3, 32 }, Weights(96, keepEvery: 4), storage);
        OnnxWeightStorage.Add(graph, "head.weight", new long[] { 3, 2 }, Weights(6, keepEvery: 1), storage);
        graph.Initializer.Add(OnnxTensors.Int64("gather_index", Array.Empty<long>(), new long[] { 0 }));
        graph.Initializer.Add(OnnxTensors.Int64("unsqueeze_axes", new long[] { 1 }, new long[] { 0 }));
        graph.Initializer.Add(OnnxTensors.Int64("minus_one", new long[] { 1 }, new long[] { -1 }));

        Node(graph, "Conv", "conv", new[] { "x", "conv.weight", "conv.bias" }, "h",
            Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        Node(graph, "Relu", "relu", new[] { "h" }, "r");
        Node(graph, "Shape", "shape", new[] { "r" }, "r_shape");
        Node(graph, "Gather", "gather", new[] { "r_shape", "gather_index" }, "n", Int("axis", 0));
        Node(graph, "Unsqueeze", "unsqueeze", new[] { "n", "unsqueeze_axes" }, "n1");
        Node(graph, "Concat", "concat", new[] { "n1", "minus_one" }, "flat_shape", Int("axis", 0));
        Node(graph, "Reshape", "flatten", new[] { "r", "flat_shape" }, "flat");
        Node(graph, "Gemm", "fc", new[] { "flat", "fc.weight" }, "z", Int("transB", 1));
        Node(graph, "MatMul", "head", new[] { "z", "head.weight" }, "y");
        return Model(graph);
    }

    /// <summary><c>x</c> [N, width] → Gemm with a dense <paramref name="width"/>² weight (transB) → <c>y</c>: a session
    /// has to hold width² floats.</summary>
    public static byte[] WideGemm(int width)
    {
        var graph = new GraphProto { Name = "wide_gemm" };
        graph.Input.Add(Value("x", TensorProto.Types.DataType.Float, null, width));
        graph.Output.Add(Value("y", TensorProto.Types.DataType.Float, null, width));
        var weight = new float[width * width];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (i % 7 - 3) * 0.01f;
        }

        graph.Initializer.Add(OnnxTensors.Float("w", new long[] { width, width }, weight));
        Node(graph, "Gemm", "fc", new[] { "x", "w" }, "y", Int("transB", 1));
        return Model(graph);
    }

    /// <summary>A graph whose input <c>x</c> [N, 3, H, W] has symbolic spatial dimensions.</summary>
    public static byte[] SymbolicSpatialInput()
    {
        var graph = new GraphProto { Name = "symbolic" };
        var x = Value("x", TensorProto.Types.DataType.Float, null, 3, 1, 1);
        x.Type.TensorType.Shape.Dim[2].DimParam = "H";
        x.Type.TensorType.Shape.Dim[3].DimParam = "W";
        graph.Input.Add(x);
        graph.Output.Add(Value("y", TensorProto.Types.DataType.Float, null, 3, 1, 1));
        Node(graph, "Relu", "relu", new[] { "x" }, "y");
        return Model(graph);
    }

    /// <summary>Entries 1, 2, 3, ... with all but every <paramref name="keepEvery"/>-th set to zero.</summary>
    private static float[] Weights(int count, int keepEvery) =>
        Enumerable.Range(0, count).Select(i => i % keepEvery == 0 ? 0.05f * (i + 1) : 0f).ToArray();

    private static byte[] Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = OnnxExporter.IrVersion, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = OnnxExporter.OpsetVersion });
        return model.ToByteArray();
    }

    private static void Node(GraphProto graph, string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, long? batch, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batch is { } b ? new TensorShapeProto.Types.Dimension { DimValue = b } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (long d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}

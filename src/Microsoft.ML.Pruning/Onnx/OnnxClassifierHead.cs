using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The outputs every model written for scoring ends with, after the network's raw outputs: ML.NET's multiclass
/// convention, <c>Score</c> (softmax probabilities, float <c>[N, classes]</c>) and <c>PredictedLabel</c> (the index of
/// the highest score, int64 <c>[N]</c>). The one place both writers (built-in networks, imported graphs) add it.
/// </summary>
internal static class OnnxClassifierHead
{
    /// <summary>Adds the head's nodes and graph outputs to <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph; its outputs are added to, not replaced.</param>
    /// <param name="logits">The value holding the raw outputs <c>[N, classes]</c>.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="nodeNames">Makes a node name unique in the graph from a wanted one (identity when the graph is ours).</param>
    public static void Emit(GraphProto graph, string logits, long classes, Func<string, string> nodeNames)
    {
        // ArgMax reads Score (not the logits) so that PredictedLabel always agrees with the Score the caller sees.
        graph.Node.Add(Node("Softmax", nodeNames("/Softmax"), logits, OnnxExporter.ScoreName, Int("axis", 1)));
        graph.Node.Add(Node("ArgMax", nodeNames("/ArgMax"), OnnxExporter.ScoreName, OnnxExporter.PredictedLabelName, Int("axis", 1), Int("keepdims", 0)));
        graph.Output.Add(Value(OnnxExporter.ScoreName, TensorProto.Types.DataType.Float, Batch(), new TensorShapeProto.Types.Dimension { DimValue = classes }));
        graph.Output.Add(Value(OnnxExporter.PredictedLabelName, TensorProto.Types.DataType.Int64, Batch()));
    }

    /// <summary>A float or int64 tensor value description.</summary>
    public static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>The symbolic batch dimension "N".</summary>
    public static TensorShapeProto.Types.Dimension Batch() => new() { DimParam = "N" };

    private static NodeProto Node(string opType, string name, string input, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}

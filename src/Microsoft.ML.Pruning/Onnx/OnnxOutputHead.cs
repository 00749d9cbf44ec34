using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tasks;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The outputs every model written for scoring ends with, after the network's raw outputs, in ML.NET's conventions for
/// the task: multiclass <c>Score</c> (softmax probabilities, float <c>[N, classes]</c>) and <c>PredictedLabel</c> (the
/// index of the highest score, int64 <c>[N]</c>); binary <c>Score</c> (the raw logit, float <c>[N, 1]</c>),
/// <c>Probability</c> (its sigmoid, float <c>[N, 1]</c>) and <c>PredictedLabel</c> (logit above 0, bool <c>[N, 1]</c>);
/// regression <c>Score</c> (the value, float <c>[N, 1]</c>). The one place both writers (built-in networks, imported
/// graphs) add it.
/// </summary>
internal static class OnnxOutputHead
{
    /// <summary>Adds the head's nodes and graph outputs to <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph; its outputs are added to, not replaced.</param>
    /// <param name="logits">The value holding the raw outputs <c>[N, width]</c>.</param>
    /// <param name="task">The task; null for multiclass over <paramref name="width"/> classes.</param>
    /// <param name="width">The width of the raw outputs.</param>
    /// <param name="nodeNames">Makes a node or helper value name unique in the graph from a wanted one (identity when the graph is ours).</param>
    public static void Emit(GraphProto graph, string logits, PredictionTask? task, long width, Func<string, string> nodeNames)
    {
        switch (task?.Name ?? "multiclass")
        {
            case "binary":
                EmitBinary(graph, logits, nodeNames);
                break;
            case "regression":
                graph.Node.Add(Node("Identity", nodeNames("/Score"), new[] { logits }, OnnxExporter.ScoreName));
                graph.Output.Add(Value(OnnxExporter.ScoreName, TensorProto.Types.DataType.Float, Batch(), Width(1)));
                break;
            default:
                EmitMulticlass(graph, logits, width, nodeNames);
                break;
        }
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

    private static void EmitMulticlass(GraphProto graph, string logits, long classes, Func<string, string> nodeNames)
    {
        // ArgMax reads Score (not the logits) so that PredictedLabel always agrees with the Score the caller sees.
        graph.Node.Add(Node("Softmax", nodeNames("/Softmax"), new[] { logits }, OnnxExporter.ScoreName, Int("axis", 1)));
        graph.Node.Add(Node("ArgMax", nodeNames("/ArgMax"), new[] { OnnxExporter.ScoreName }, OnnxExporter.PredictedLabelName, Int("axis", 1), Int("keepdims", 0)));
        graph.Output.Add(Value(OnnxExporter.ScoreName, TensorProto.Types.DataType.Float, Batch(), Width(classes)));
        graph.Output.Add(Value(OnnxExporter.PredictedLabelName, TensorProto.Types.DataType.Int64, Batch()));
    }

    private static void EmitBinary(GraphProto graph, string logits, Func<string, string> nodeNames)
    {
        // ML.NET's binary Score is the raw margin; the label is "logit above 0", the rule training's accuracy uses (and
        // the same as probability above 0.5 without the sigmoid's rounding at the boundary).
        string zero = nodeNames("/Zero");
        graph.Initializer.Add(OnnxTensors.Float(zero, Array.Empty<long>(), new float[] { 0 }));
        graph.Node.Add(Node("Identity", nodeNames("/Score"), new[] { logits }, OnnxExporter.ScoreName));
        graph.Node.Add(Node("Sigmoid", nodeNames("/Sigmoid"), new[] { OnnxExporter.ScoreName }, OnnxExporter.ProbabilityName));
        graph.Node.Add(Node("Greater", nodeNames("/Greater"), new[] { OnnxExporter.ScoreName, zero }, OnnxExporter.PredictedLabelName));
        graph.Output.Add(Value(OnnxExporter.ScoreName, TensorProto.Types.DataType.Float, Batch(), Width(1)));
        graph.Output.Add(Value(OnnxExporter.ProbabilityName, TensorProto.Types.DataType.Float, Batch(), Width(1)));
        graph.Output.Add(Value(OnnxExporter.PredictedLabelName, TensorProto.Types.DataType.Bool, Batch(), Width(1)));
    }

    private static TensorShapeProto.Types.Dimension Width(long width) => new() { DimValue = width };

    private static NodeProto Node(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}

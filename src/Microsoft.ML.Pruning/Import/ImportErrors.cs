using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>The exceptions the importer throws for graphs it cannot take, worded alike: model, node, operator, problem.</summary>
internal static class ImportErrors
{
    /// <summary>How a node is named in messages: its name, or its position and first output when it has none.</summary>
    public static string Label(NodeProto node, int index) =>
        node.Name.Length > 0 ? $"'{node.Name}'" : $"#{index} (output '{(node.Output.Count > 0 ? node.Output[0] : "")}')";

    /// <summary>A problem with one node: names the model, the node and its operator.</summary>
    public static ArgumentException Node(string model, NodeProto node, int index, string problem) =>
        new($"ONNX model '{model}': node {Label(node, index)} ({node.OpType}) {problem}");

    /// <summary>A problem with the model as a whole (its inputs, outputs, opset, a tensor).</summary>
    public static ArgumentException Model(string model, string problem) =>
        new($"ONNX model '{model}': {problem}");
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Puts a training-time <see cref="Standardization"/> into a scoring graph, so the model takes and gives raw values:
/// <c>Sub</c>/<c>Div</c> on the <c>Features</c> input before the network, <c>Mul</c>/<c>Add</c> on a regression
/// <c>Score</c> after it.
/// </summary>
internal static class OnnxStandardizationSteps
{
    /// <summary>Adds the steps <paramref name="options"/> asks for to <paramref name="graph"/> (one whose input is
    /// <c>Features</c> and whose head is already in place).</summary>
    public static void Apply(GraphProto graph, OnnxExportOptions options)
    {
        if (options.InputStandardization is { } input)
        {
            StandardizeInput(graph, input);
        }

        if (options.OutputStandardization is { } output)
        {
            RestoreOutput(graph, output);
        }
    }

    private static void StandardizeInput(GraphProto graph, Standardization s)
    {
        var declared = graph.Input.FirstOrDefault(i => i.Name == OnnxExporter.InputName)
            ?? throw new InvalidOperationException($"The graph has no input '{OnnxExporter.InputName}' to standardise.");
        long width = declared.Type.TensorType.Shape.Dim[^1].DimValue;
        if (width != s.Width)
        {
            throw new ArgumentException($"The input standardisation has {s.Width} columns but the graph's input '{OnnxExporter.InputName}' has {width}.", nameof(s));
        }

        const string centred = "Features/centred", scaled = "Features/standardised";
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == OnnxExporter.InputName)
                {
                    node.Input[i] = scaled;
                }
            }
        }

        graph.Initializer.Add(OnnxTensors.Float("Features/mean", new[] { width }, s.Mean));
        graph.Initializer.Add(OnnxTensors.Float("Features/scale", new[] { width }, s.Scale));
        graph.Node.Insert(0, Node("Div", "/Features/Div", centred, "Features/scale", scaled));
        graph.Node.Insert(0, Node("Sub", "/Features/Sub", OnnxExporter.InputName, "Features/mean", centred));
    }

    private static void RestoreOutput(GraphProto graph, Standardization s)
    {
        if (s.Width != 1)
        {
            throw new ArgumentException($"A regression output standardisation has one column, not {s.Width}.", nameof(s));
        }

        var producer = graph.Node.SingleOrDefault(n => n.Output.Contains(OnnxExporter.ScoreName))
            ?? throw new InvalidOperationException($"The graph has no '{OnnxExporter.ScoreName}' output to restore to raw values.");
        const string standardised = "Score/standardised", scaled = "Score/scaled";
        producer.Output[producer.Output.IndexOf(OnnxExporter.ScoreName)] = standardised;
        graph.Initializer.Add(OnnxTensors.Float("Score/scale", Array.Empty<long>(), s.Scale));
        graph.Initializer.Add(OnnxTensors.Float("Score/mean", Array.Empty<long>(), s.Mean));
        graph.Node.Add(Node("Mul", "/Score/Mul", standardised, "Score/scale", scaled));
        graph.Node.Add(Node("Add", "/Score/Add", scaled, "Score/mean", OnnxExporter.ScoreName));
    }

    private static NodeProto Node(string opType, string name, string a, string b, string output)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(a);
        node.Input.Add(b);
        node.Output.Add(output);
        return node;
    }
}

using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// An ONNX graph checked and compiled for execution: which node computes what, which constants become parameters and
/// buffers, which nodes are prunable layers, and the compiled steps. Made once per model by <see cref="GraphAnalyzer"/>
/// and shared by every network built from it; the graph structure (nodes, producers, consumers) stays reachable for
/// analyses that follow channels through it.
/// </summary>
internal sealed class ImportedGraph
{
    /// <summary>The model's name (for messages).</summary>
    public required string Name { get; init; }

    /// <summary>The parsed model, as read. Never changed: export writes a modified copy.</summary>
    public required ModelProto Model { get; init; }

    /// <summary>The version of the default operator set.</summary>
    public required long Opset { get; init; }

    /// <summary>The graph input's name.</summary>
    public required string InputName { get; init; }

    /// <summary>The input's dimensions after the batch dimension (e.g. <c>[1, 28, 28]</c>).</summary>
    public required long[] InputDims { get; init; }

    /// <summary>The graph output's name.</summary>
    public required string OutputName { get; init; }

    /// <summary>The value the network returns: the output, or the input of a final Softmax/LogSoftmax.</summary>
    public required string LogitsName { get; init; }

    /// <summary>The final Softmax or LogSoftmax node left out in training, or null.</summary>
    public required NodeProto? FinalActivation { get; init; }

    /// <summary>The nodes computed by the network, in graph order (those the logits depend on).</summary>
    public required IReadOnlyList<int> ExecutedNodes { get; init; }

    /// <summary>Float constants the network registers, by index.</summary>
    public required IReadOnlyList<ImportedTensor> Tensors { get; init; }

    /// <summary>The registered tensor each (node, input position) reads.</summary>
    public required IReadOnlyDictionary<(int Node, int Input), int> Registered { get; init; }

    /// <summary>The prunable layers, in graph order.</summary>
    public required IReadOnlyList<ImportedLayer> Layers { get; init; }

    /// <summary>The node that produces each value (graph input and initializers have none).</summary>
    public required IReadOnlyDictionary<string, int> Producers { get; init; }

    /// <summary>The nodes that read each value, as (node, input position), in graph order.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<(int Node, int Input)>> Consumers { get; init; }

    /// <summary>Values the graph fixes (initializers, Constant outputs and Identities of them), decoded.</summary>
    public required IReadOnlyDictionary<string, ConstantValue> Constants { get; init; }

    /// <summary>The slot of each computed value in an <see cref="ExecutionFrame"/>.</summary>
    public required IReadOnlyDictionary<string, int> Slots { get; init; }

    /// <summary>The compiled nodes, in order (nodes that compute nothing at run time are left out).</summary>
    public required IReadOnlyList<(int Node, NodeStep Step)> Steps { get; init; }

    /// <summary>The graph's nodes.</summary>
    public IReadOnlyList<NodeProto> Nodes => Model.Graph.Node;

    /// <summary>The number of features of a flat input row: the product of <see cref="InputDims"/>.</summary>
    public int InputFeatures => checked((int)InputDims.Aggregate(1L, (a, d) => a * d));

    /// <summary>The slot of the graph input.</summary>
    public int InputSlot => Slots[InputName];

    /// <summary>The slot of the logits.</summary>
    public int LogitsSlot => Slots[LogitsName];
}

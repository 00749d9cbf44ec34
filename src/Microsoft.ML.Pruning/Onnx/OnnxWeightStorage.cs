using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Puts a weight tensor into a graph in the form an <see cref="OnnxStorage"/> mode asks for. Every ONNX writer of the
/// library (built-in networks and imported graphs) stores weights through here, so the storage modes mean the same
/// everywhere.
/// </summary>
/// <remarks>
/// A sparse weight is a <c>Constant</c> node whose <c>sparse_value</c> attribute holds the sparse tensor and whose
/// output, named like the weight, is the dense tensor. Not a <c>graph.sparse_initializer</c>: that value is typed
/// <c>sparse_tensor(float)</c>, which no standard operator takes, so the ONNX checker refuses it as an input of
/// <c>Gemm</c> or <c>Conv</c> (ONNX Runtime alone accepts it). <c>Constant</c>'s <c>sparse_value</c> exists since
/// opset 11 and sparse tensors since IR version 6; the writers use IR 8, opset 17.
/// </remarks>
internal static class OnnxWeightStorage
{
    /// <summary>The op type of the node that holds a sparse weight.</summary>
    public const string ConstantOp = "Constant";

    /// <summary>The <c>Constant</c> attribute that holds a sparse tensor.</summary>
    public const string SparseValueAttribute = "sparse_value";

    /// <summary>Suffix of the name of the <c>Constant</c> node that holds the weight <c>{name}</c>.</summary>
    public const string ConstantNodeSuffix = "/sparse_value";

    /// <summary>True when sparse storage of <paramref name="values"/> takes fewer bytes than dense storage.</summary>
    public static bool SparseIsSmaller(ReadOnlySpan<float> values) =>
        // Sparse costs 12 bytes per non-zero, dense 4 per entry: sparse wins below one third density.
        OnnxTensors.NonZeroCount(values) * OnnxTensors.SparseBytesPerNonZero < values.Length * (long)OnnxTensors.DenseBytesPerValue;

    /// <summary>
    /// Adds the tensor <paramref name="name"/> to <paramref name="graph"/>: dense (an initializer), or sparse (a
    /// <c>Constant</c> node with <c>sparse_value</c>, placed ahead of every other node but earlier weights) as
    /// <paramref name="storage"/> says (Auto: sparse where smaller).
    /// </summary>
    /// <exception cref="InvalidOperationException">The graph already has a tensor or node output named <paramref name="name"/>,
    /// or (stored sparse) a graph input of that name.</exception>
    public static void Add(GraphProto graph, string name, IReadOnlyList<long> shape, float[] values, OnnxStorage storage)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureNew(graph, name);
        bool sparse = CanBeSparse(shape) && storage switch
        {
            OnnxStorage.Sparse => true,
            OnnxStorage.Auto => SparseIsSmaller(values),
            _ => false,
        };
        if (sparse)
        {
            if (graph.Input.Any(v => v.Name == name))
            {
                // An initializer may share its name with a graph input (a default the caller can override); a node's
                // output may not, as every value is assigned once.
                throw new InvalidOperationException(
                    $"'{name}' is a graph input; stored sparse it would be a Constant's output as well. Remove it from the graph inputs first, or store it dense.");
            }

            graph.Node.Insert(LeadingConstantCount(graph), SparseConstant(name, shape, values));
        }
        else
        {
            graph.Initializer.Add(OnnxTensors.Float(name, shape, values));
        }
    }

    /// <summary>A <c>Constant</c> node whose output <paramref name="name"/> is the dense tensor its <c>sparse_value</c> stands for.</summary>
    public static NodeProto SparseConstant(string name, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        var node = new NodeProto { OpType = ConstantOp, Name = name + ConstantNodeSuffix };
        node.Output.Add(name);
        node.Attribute.Add(new AttributeProto
        {
            Name = SparseValueAttribute,
            Type = AttributeProto.Types.AttributeType.SparseTensor,
            SparseTensor = OnnxTensors.Sparse(name, shape, values),
        });
        return node;
    }

    /// <summary>
    /// The spec allows a sparse tensor only with rank 1 or more and every dimension positive; a scalar or an empty
    /// tensor stays dense (it has nothing to save anyway).
    /// </summary>
    private static bool CanBeSparse(IReadOnlyList<long> shape) => shape.Count > 0 && shape.All(d => d > 0);

    /// <summary>
    /// Where the next sparse weight goes: after the <c>Constant</c> nodes that open the graph. A <c>Constant</c> has
    /// no inputs, so anywhere before its first reader keeps the nodes topologically sorted; ahead of every other node
    /// is before its readers whether they were added before or after it (an imported graph's nodes exist already),
    /// and weights keep the order they were added in.
    /// </summary>
    private static int LeadingConstantCount(GraphProto graph)
    {
        int index = 0;
        while (index < graph.Node.Count && graph.Node[index].OpType == ConstantOp && graph.Node[index].Domain.Length == 0)
        {
            index++;
        }

        return index;
    }

    private static void EnsureNew(GraphProto graph, string name)
    {
        bool taken = graph.Initializer.Any(t => t.Name == name)
            || graph.SparseInitializer.Any(s => s.Values?.Name == name)
            || graph.Node.Any(n => n.Output.Contains(name));
        if (taken)
        {
            throw new InvalidOperationException($"The graph already has a value named '{name}'; a weight must have a name of its own.");
        }
    }
}

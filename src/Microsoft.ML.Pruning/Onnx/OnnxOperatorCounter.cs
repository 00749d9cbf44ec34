using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Multiply-accumulates of the matrix operators of a graph from the shapes that flow through it
/// (<see cref="OnnxShapeProbe"/>): <c>Gemm</c> M·N·K, <c>MatMul</c> (batched, broadcast) the output's entries × K,
/// <c>Conv</c> the output's entries × C_in/group × kernel entries, <c>ConvTranspose</c> the input's entries ×
/// C_out/group × kernel entries. Other operators (activations, pooling, normalisation, additions) are left out, as in
/// the usual MAC counts of networks: they are a few operations per value, not per weight.
/// </summary>
internal static class OnnxOperatorCounter
{
    /// <summary>One entry per matrix operator whose shapes are known, in graph order.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="shapes">Value shapes by name.</param>
    /// <param name="stored">Tensors stored in the file (initializers, Constant tensors) by name, for the weights' non-zeros.</param>
    public static List<OperatorCost> Count(GraphProto graph, IReadOnlyDictionary<string, long[]> shapes, IReadOnlyDictionary<string, OnnxInitializerInfo> stored)
    {
        var costs = new List<OperatorCost>();
        for (int index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            if (node.Domain.Length > 0 || node.Input.Count < 2 || node.Output.Count < 1
                || !shapes.TryGetValue(node.Output[0], out var output)
                || !shapes.TryGetValue(node.Input[0], out var a)
                || !shapes.TryGetValue(node.Input[1], out var b))
            {
                continue;
            }

            long? macs = node.OpType switch
            {
                "Gemm" when a.Length == 2 => Entries(output) * (Flag(node, "transA") ? a[0] : a[1]),
                "MatMul" when a.Length >= 1 => Entries(output) * a[^1],
                "Conv" when b.Length >= 2 => Entries(output) * Entries(b[1..]),
                "ConvTranspose" when b.Length >= 2 => Entries(a) * Entries(b[1..]),
                _ => null,
            };
            if (macs is not { } total)
            {
                continue;
            }

            string? weight = WeightOf(node, stored);
            long effective = weight is null ? total : Scale(total, stored[weight]);
            costs.Add(new OperatorCost
            {
                Node = node.Name.Length > 0 ? node.Name : $"#{index}",
                OpType = node.OpType,
                OutputShape = output,
                Weight = weight,
                Macs = total,
                EffectiveMacs = effective,
            });
        }

        return costs;
    }

    /// <summary>The operand stored in the file: the second input (the weight of Gemm, Conv and a Linear's MatMul), or
    /// the first for a MatMul whose constant comes first.</summary>
    private static string? WeightOf(NodeProto node, IReadOnlyDictionary<string, OnnxInitializerInfo> stored) =>
        stored.ContainsKey(node.Input[1]) ? node.Input[1]
        : node.OpType == "MatMul" && stored.ContainsKey(node.Input[0]) ? node.Input[0]
        : null;

    /// <summary>MACs × the weight's density, exactly (every weight entry takes part in equally many products).</summary>
    private static long Scale(long macs, OnnxInitializerInfo weight) =>
        weight.ElementCount == 0 ? 0 : (long)((Int128)macs * weight.NonZeros / weight.ElementCount);

    private static long Entries(long[] shape) => shape.Aggregate(1L, (p, d) => p * d);

    private static bool Flag(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I == 1;
}

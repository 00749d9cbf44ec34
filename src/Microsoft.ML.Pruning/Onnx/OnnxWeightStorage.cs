using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Puts a weight tensor into a graph in the form an <see cref="OnnxStorage"/> mode asks for. Every ONNX writer of the
/// library (built-in networks and imported graphs) stores weights through here, so the storage modes mean the same
/// everywhere.
/// </summary>
internal static class OnnxWeightStorage
{
    /// <summary>True when sparse storage of <paramref name="values"/> takes fewer bytes than dense storage.</summary>
    public static bool SparseIsSmaller(ReadOnlySpan<float> values) =>
        // Sparse costs 12 bytes per non-zero, dense 4 per entry: sparse wins below one third density.
        OnnxTensors.NonZeroCount(values) * OnnxTensors.SparseBytesPerNonZero < values.Length * (long)OnnxTensors.DenseBytesPerValue;

    /// <summary>Adds the tensor <paramref name="name"/> to <paramref name="graph"/>: dense, or sparse as
    /// <paramref name="storage"/> says (Auto: sparse where smaller).</summary>
    public static void Add(GraphProto graph, string name, IReadOnlyList<long> shape, float[] values, OnnxStorage storage)
    {
        bool sparse = storage switch
        {
            OnnxStorage.Sparse => true,
            OnnxStorage.Auto => SparseIsSmaller(values),
            _ => false,
        };
        if (sparse)
        {
            graph.SparseInitializer.Add(OnnxTensors.Sparse(name, shape, values));
        }
        else
        {
            graph.Initializer.Add(OnnxTensors.Float(name, shape, values));
        }
    }
}

using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>A prunable layer of an imported graph: the node that applies it, its weight and its bias.</summary>
/// <param name="Info">Name, kind, stored weight shape <c>[out, in(, kh, kw)]</c>, main path.</param>
/// <param name="Node">The Gemm, MatMul or Conv node.</param>
/// <param name="NodeIndex">The node's position in the graph.</param>
/// <param name="Weight">The index of the weight among the registered tensors.</param>
/// <param name="Bias">The index of its bias among the registered tensors (Gemm C, Conv B, or the constant a MatMul's
/// output is added to), or null when it has none.</param>
internal sealed record ImportedLayer(PrunableLayerInfo Info, NodeProto Node, int NodeIndex, int Weight, int? Bias);

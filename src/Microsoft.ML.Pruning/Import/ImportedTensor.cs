using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>A float constant of the imported graph that the executing network registers as a parameter or buffer.</summary>
/// <param name="Key">The registered name: the value's name with characters TorchSharp keys cannot hold replaced, made unique.</param>
/// <param name="ValueName">The graph value it stands for, and the name export writes it under.</param>
/// <param name="Role">What it becomes.</param>
/// <param name="Value">Its value as imported, in the graph's layout.</param>
/// <param name="Transposed">True when the network stores it transposed (a Gemm weight with transB = 0, a MatMul
/// weight), so that output units are on axis 0; export transposes it back.</param>
/// <param name="Producer">The <c>Constant</c> or <c>Identity</c> node that makes the value, or null when it is an
/// initializer. Export replaces such a node by an initializer when the tensor is written back.</param>
internal sealed record ImportedTensor(string Key, string ValueName, ImportedTensorRole Role, ConstantValue Value, bool Transposed, NodeProto? Producer)
{
    /// <summary>True when training changes it (so export writes it back): weights, parameters and statistics.</summary>
    public bool IsWrittenBack => Role != ImportedTensorRole.Constant;

    /// <summary>The shape the network stores: the graph's, with the two axes swapped when <see cref="Transposed"/>.</summary>
    public long[] StoredShape => Transposed ? new[] { Value.Shape[1], Value.Shape[0] } : Value.Shape;
}

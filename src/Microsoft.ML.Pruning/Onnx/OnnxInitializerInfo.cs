namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// One stored tensor of an ONNX model, dense or sparse: an initializer, a sparse initializer, or the tensor of a
/// <c>Constant</c> node (<see cref="Storage"/> says which).
/// </summary>
/// <param name="Name">The tensor's name, as the graph refers to it (a <c>Constant</c>'s: its output).</param>
/// <param name="ElementType">The element type in lower case (e.g. "float").</param>
/// <param name="Shape">The (dense) shape.</param>
/// <param name="ElementCount">Entries of the dense tensor: the product of <paramref name="Shape"/>.</param>
/// <param name="Sparse">True when the file holds the tensor in sparse form (a sparse initializer or a <c>Constant</c>'s
/// <c>sparse_value</c>), false for a dense one.</param>
/// <param name="NonZeros">Entries that are not zero.</param>
/// <param name="Bytes">Bytes the tensor's message takes in the file.</param>
/// <param name="IsPrunableWeight">True when it is the weight of a <c>Gemm</c>, <c>MatMul</c> or <c>Conv</c> node (a Linear or Conv layer).</param>
public sealed record OnnxInitializerInfo(string Name, string ElementType, IReadOnlyList<long> Shape, long ElementCount, bool Sparse,
    long NonZeros, long Bytes, bool IsPrunableWeight)
{
    private readonly OnnxTensorStorage? _storage;

    /// <summary>Where the tensor is stored; by default an initializer, sparse or dense as <see cref="Sparse"/> says.</summary>
    public OnnxTensorStorage Storage
    {
        get => _storage ?? (Sparse ? OnnxTensorStorage.SparseInitializer : OnnxTensorStorage.Initializer);
        init => _storage = value;
    }

    /// <summary>Fraction of entries that are zero (0 for an empty tensor).</summary>
    public double Sparsity => ElementCount == 0 ? 0 : 1 - (double)NonZeros / ElementCount;
}

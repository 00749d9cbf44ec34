namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// How <see cref="OnnxExporter"/> stores the prunable weights (Linear and Conv2d) in the ONNX file. Biases,
/// BatchNorm parameters and statistics are always dense. Every mode is valid ONNX (the ONNX checker's full check
/// passes) and gives the same scores: ONNX Runtime turns sparse weights into dense tensors when it loads the model, so
/// sparse storage saves bytes on disk and on the wire, not memory or scoring time.
/// </summary>
public enum OnnxStorage
{
    /// <summary>Every weight as a dense <c>float</c> tensor (4 bytes per weight, zeros included); the most widely read form.</summary>
    Dense,

    /// <summary>
    /// Every prunable weight as a <c>Constant</c> node whose <c>sparse_value</c> holds the non-zero values and their
    /// linear int64 indices (12 bytes per non-zero weight) and whose output, named like the weight, is the dense tensor.
    /// Smaller than dense below one third density (above 67% sparsity); larger above it.
    /// </summary>
    Sparse,

    /// <summary>Per weight tensor, sparse where that is smaller (fewer than a third of its entries non-zero), dense elsewhere.</summary>
    Auto,
}

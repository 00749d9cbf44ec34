namespace Microsoft.ML.Pruning.Import;

/// <summary>The operators the importer runs, by ONNX name (default domain, opsets <see cref="MinOpset"/> to <see cref="MaxOpset"/>).</summary>
internal static class OperatorCatalog
{
    /// <summary>The oldest default-domain opset the importer takes.</summary>
    public const long MinOpset = 11;

    /// <summary>The newest default-domain opset the importer takes.</summary>
    public const long MaxOpset = 21;

    private static readonly OperatorSpec[] All =
    {
        new("Gemm", 2, 3, LinearOperators.Gemm, "prunable Linear layer (weight B stored [out, in]); C is a trained bias"),
        new("MatMul", 2, 2, LinearOperators.MatMul, "prunable Linear layer when B is a constant (stored transposed, [out, in])"),
        new("Conv", 2, 3, LinearOperators.Conv, "prunable Conv2d layer (weight [out, in/groups, kh, kw]); B is a trained bias"),
        new("BatchNormalization", 5, 5, NormalizationOperators.BatchNormalization, "batch norm: trained scale and shift, running statistics as buffers"),
        new("Add", 2, 2, ElementwiseOperators.Add, "addition with broadcasting (a constant added to a MatMul is its trained bias)"),
        new("Sub", 2, 2, ElementwiseOperators.Sub, "subtraction with broadcasting"),
        new("Mul", 2, 2, ElementwiseOperators.Mul, "multiplication with broadcasting"),
        new("Div", 2, 2, ElementwiseOperators.Div, "division with broadcasting"),
        new("Relu", 1, 1, ElementwiseOperators.Relu, "ReLU"),
        new("LeakyRelu", 1, 1, ElementwiseOperators.LeakyRelu, "leaky ReLU"),
        new("Sigmoid", 1, 1, ElementwiseOperators.Sigmoid, "sigmoid"),
        new("Tanh", 1, 1, ElementwiseOperators.Tanh, "tanh"),
        new("Clip", 1, 3, ElementwiseOperators.Clip, "clamp to constant bounds (e.g. ReLU6)"),
        new("MaxPool", 1, 1, PoolingOperators.MaxPool, "2-D max pooling"),
        new("AveragePool", 1, 1, PoolingOperators.AveragePool, "2-D average pooling"),
        new("GlobalAveragePool", 1, 1, PoolingOperators.GlobalAveragePool, "mean over the spatial axes"),
        new("Flatten", 1, 1, ShapeOperators.Flatten, "reshape to 2-D at the axis"),
        new("Reshape", 2, 2, ShapeOperators.Reshape, "reshape (0 copies a dimension, -1 is inferred)"),
        new("Shape", 1, 1, ShapeOperators.Shape, "the input's shape as int64"),
        new("Gather", 2, 2, ShapeOperators.Gather, "select along an axis"),
        new("Unsqueeze", 1, 2, ShapeOperators.Unsqueeze, "insert axes of size 1"),
        new("Squeeze", 1, 2, ShapeOperators.Squeeze, "remove axes of size 1"),
        new("Concat", 1, int.MaxValue, ShapeOperators.Concat, "concatenate along an axis"),
        new("Transpose", 1, 1, ShapeOperators.Transpose, "permute the axes (e.g. NHWC to NCHW)"),
        new("Cast", 1, 1, ShapeOperators.Cast, "convert to float, int64, int32 or bool"),
        new("Constant", 0, 0, ShapeOperators.Constant, "a constant (read at import)"),
        new("Identity", 1, 1, ElementwiseOperators.Identity, "the same value"),
        new("Dropout", 1, 3, ElementwiseOperators.Dropout, "dropout in training mode, the identity when scoring"),
        new("Softmax", 1, 1, ElementwiseOperators.Softmax, "softmax (a final one is left out in training: the network trains on its input, the logits)"),
        new("LogSoftmax", 1, 1, ElementwiseOperators.LogSoftmax, "log-softmax (a final one is left out in training, as Softmax)"),
    };

    /// <summary>The operators by name.</summary>
    public static IReadOnlyDictionary<string, OperatorSpec> Operators { get; } = All.ToDictionary(o => o.OpType, StringComparer.Ordinal);

    /// <summary>The operator names, sorted, for messages.</summary>
    public static string Names { get; } = string.Join(", ", All.Select(o => o.OpType).Order(StringComparer.Ordinal));

    /// <summary>The operators whose second input is a prunable weight.</summary>
    public static bool HasPrunableWeight(string opType) => opType is "Gemm" or "MatMul" or "Conv";
}

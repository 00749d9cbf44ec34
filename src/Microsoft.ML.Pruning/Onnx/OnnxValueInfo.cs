namespace Microsoft.ML.Pruning.Onnx;

/// <summary>A graph input or output of an ONNX model: its name, element type and shape.</summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The element type in lower case (e.g. "float", "int64"), or "unknown".</param>
/// <param name="Shape">One entry per dimension: a number, or a symbolic name such as "N"; "?" when unknown.</param>
public sealed record OnnxValueInfo(string Name, string ElementType, IReadOnlyList<string> Shape);

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>Where the exported ONNX model went.</summary>
/// <param name="Path">File path.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Storage">"dense", "sparse" or "auto".</param>
public sealed record OnnxExportInfo(string Path, long Bytes, string Storage);

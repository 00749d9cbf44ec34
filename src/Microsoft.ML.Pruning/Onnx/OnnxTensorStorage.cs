using System.Text.Json.Serialization;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>Where and how an ONNX model stores a constant tensor (see <see cref="OnnxInitializerInfo.Storage"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OnnxTensorStorage>))]
public enum OnnxTensorStorage
{
    /// <summary>A dense tensor in <c>graph.initializer</c>.</summary>
    Initializer,

    /// <summary>A sparse tensor in <c>graph.sparse_initializer</c> (typed <c>sparse_tensor</c>: ONNX Runtime reads it
    /// as a weight, the ONNX checker refuses it as an input of a standard operator).</summary>
    SparseInitializer,

    /// <summary>A <c>Constant</c> node whose <c>sparse_value</c> attribute holds a sparse tensor and whose output is
    /// the dense tensor: how <see cref="OnnxStorage.Sparse"/> stores a weight.</summary>
    SparseConstant,

    /// <summary>A <c>Constant</c> node whose <c>value</c> attribute holds a dense tensor.</summary>
    Constant,
}

using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The shapes that actually flow through a graph at a given batch size, from ONNX Runtime itself: a copy of the model
/// lists every node output as a graph output, runs once on random input without graph optimisations, and reports each
/// value's shape. Works for any graph ONNX Runtime runs (PyTorch's dynamic Shape → Gather → Reshape flatten included)
/// without a shape-inference of our own. Stored tensors (initializers, Constant tensors) add their declared shapes.
/// </summary>
internal static class OnnxShapeProbe
{
    /// <summary>Every value's shape by name (graph inputs, stored tensors and node outputs that are tensors).</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load or run the probing copy.</exception>
    public static Dictionary<string, long[]> Shapes(ModelProto model, OnnxRandomInputs inputs, SessionOptions options)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var graph = model.Graph;
        foreach (var tensor in graph.Initializer)
        {
            shapes[tensor.Name] = tensor.Dims.ToArray();
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            shapes[sparse.Values?.Name ?? ""] = sparse.Dims.ToArray();
        }

        for (int i = 0; i < inputs.Names.Count; i++)
        {
            shapes[inputs.Names[i]] = inputs.Shapes[i];
        }

        var constants = graph.Node.Where(OnnxModelInfo.IsTensorConstant).ToList();
        foreach (var constant in constants)
        {
            var attribute = constant.Attribute[0];
            shapes[constant.Output[0]] = (attribute.SparseTensor?.Dims ?? attribute.T.Dims).ToArray();
        }

        // Constant outputs are known already, and ONNX Runtime turns Constants into initializers at load.
        var constantOutputs = constants.Select(c => c.Output[0]).ToHashSet(StringComparer.Ordinal);
        var wanted = graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0 && !constantOutputs.Contains(o)).Distinct().ToList();
        var probe = model.Clone();
        var listed = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in wanted.Where(listed.Add))
        {
            probe.Graph.Output.Add(new ValueInfoProto { Name = name }); // type left to ONNX Runtime's inference
        }

        using var session = new InferenceSession(probe.ToByteArray(), options);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs.Names.ToArray(), inputs.Values.ToArray(), wanted);
        for (int i = 0; i < wanted.Count; i++)
        {
            if (outputs[i].OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
            {
                shapes[wanted[i]] = outputs[i].GetTensorTypeAndShape().Shape;
            }
        }

        return shapes;
    }
}

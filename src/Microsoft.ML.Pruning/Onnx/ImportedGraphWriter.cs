using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Writes an imported network back as the user's own graph: the original model with the network's current weights,
/// biases and batch-norm statistics, everything else as it was read — node names and order, input and output names,
/// shapes and dynamic dimensions, opset, IR version, other initializers, the user's metadata — plus this library's
/// metadata. Asked to compact (<see cref="OnnxExportOptions.Compact"/>), it writes the channels no layer reads out of
/// every tensor that holds them (<see cref="ImportedGraphCompactor"/>): the same graph with smaller weights.
/// </summary>
/// <remarks>
/// Prunable weights go back in the graph's layout (transposed back where the network stores them transposed), stored
/// through <see cref="OnnxWeightStorage"/> just before the node that uses them (dense: an initializer; sparse: a
/// Constant node with sparse_value). A weight the original also listed among the graph inputs (older exporters list
/// every initializer there) leaves that list when it may be stored sparse. A trained value the original graph made
/// with a Constant node, or with an Identity of another constant (PyTorch's exporter writes those for equal tensors),
/// is written as an initializer of the same name and that node is left out: the value is no longer a copy.
/// </remarks>
internal static class ImportedGraphWriter
{
    public static ModelProto CreateModel(OnnxGraphNetwork network, OnnxExportOptions options)
    {
        var graph = network.Graph;
        var model = graph.Model.Clone();
        var compacted = options.Compact ? ImportedGraphCompactor.Compact(network) : new Dictionary<int, (long[] Shape, float[] Values)>();
        var written = Enumerable.Range(0, graph.Tensors.Count).Where(i => graph.Tensors[i].IsWrittenBack)
            .ToDictionary(
                i => graph.Tensors[i].ValueName,
                i => compacted.TryGetValue(i, out var c) ? new WrittenTensor(graph.Tensors[i], c.Shape, c.Values) : Read(network, i),
                StringComparer.Ordinal);
        var replacedNodes = written.Values.Where(w => w.Tensor.Producer is not null)
            .Select(w => IndexOf(graph, w.Tensor.Producer!)).ToHashSet();
        var weightOf = graph.Layers.ToDictionary(l => l.NodeIndex, l => graph.Tensors[l.Weight].ValueName);

        var target = model.Graph;
        if (options.Storage != OnnxStorage.Dense)
        {
            // Older exporters list initializers among the graph inputs too; a weight stored sparse becomes a Constant's
            // output, which may not also be an input.
            var weights = graph.Layers.Select(l => graph.Tensors[l.Weight].ValueName).ToHashSet(StringComparer.Ordinal);
            foreach (var input in target.Input.Where(v => weights.Contains(v.Name)).ToList())
            {
                target.Input.Remove(input);
            }
        }

        if (compacted.Count > 0)
        {
            ResizeInterface(target, written);
        }

        target.Node.Clear();
        target.Initializer.Clear();
        target.SparseInitializer.Clear();
        foreach (var tensor in graph.Model.Graph.Initializer)
        {
            AddInitializer(target, tensor.Name, tensor, written);
        }

        foreach (var sparse in graph.Model.Graph.SparseInitializer)
        {
            string name = sparse.Values?.Name ?? "";
            if (written.TryGetValue(name, out var w))
            {
                if (w.Tensor.Role != ImportedTensorRole.PrunableWeight)
                {
                    target.Initializer.Add(OnnxTensors.Float(name, w.Shape, w.Values));
                }
            }
            else
            {
                target.SparseInitializer.Add(sparse.Clone());
            }
        }

        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (replacedNodes.Contains(i))
            {
                foreach (string output in node.Output.Where(o => written.TryGetValue(o, out var w) && w.Tensor.Role != ImportedTensorRole.PrunableWeight))
                {
                    target.Initializer.Add(OnnxTensors.Float(output, written[output].Shape, written[output].Values));
                }

                continue;
            }

            if (weightOf.TryGetValue(i, out string? weight))
            {
                var w = written[weight];
                OnnxWeightStorage.Add(target, weight, w.Shape, w.Values, options.Storage);
            }

            target.Node.Add(node.Clone());
        }

        if (options.Description is { } description)
        {
            model.DocString = description;
        }

        foreach (var (key, value) in options.Metadata)
        {
            var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
            if (existing is not null)
            {
                model.MetadataProps.Remove(existing);
            }

            model.MetadataProps.Add(new StringStringEntryProto { Key = key ?? "", Value = value ?? "" });
        }

        return model;
    }

    /// <summary>After compaction: the shapes recorded for values inside the graph (value_info) are dropped, since
    /// channels changed size (ONNX Runtime and the checker infer them again), and a weight the graph also lists among its
    /// inputs (older exporters list every initializer there) is listed with its new shape. The graph's own input and
    /// output keep their names, types and ranks.</summary>
    private static void ResizeInterface(GraphProto target, Dictionary<string, WrittenTensor> written)
    {
        target.ValueInfo.Clear();
        foreach (var input in target.Input)
        {
            if (written.TryGetValue(input.Name, out var w) && input.Type?.TensorType?.Shape is { } shape)
            {
                shape.Dim.Clear();
                foreach (long d in w.Shape)
                {
                    shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
                }
            }
        }
    }

    /// <summary>A dense initializer as read, or with the network's value when training changes it (weights are added
    /// at their node instead).</summary>
    private static void AddInitializer(GraphProto target, string name, TensorProto original,
        Dictionary<string, WrittenTensor> written)
    {
        if (!written.TryGetValue(name, out var w))
        {
            target.Initializer.Add(original.Clone());
        }
        else if (w.Tensor.Role != ImportedTensorRole.PrunableWeight)
        {
            target.Initializer.Add(OnnxTensors.Float(name, w.Shape, w.Values));
        }
    }

    /// <summary>The registered tensor's current shape and values in the graph's layout (transposed back when stored
    /// transposed). The shape is the live tensor's, not the imported one's, so a network whose layers changed size
    /// is written with its new sizes.</summary>
    private static WrittenTensor Read(OnnxGraphNetwork network, int index)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tensor = network.RegisteredTensor(index).detach();
        if (network.Graph.Tensors[index].Transposed)
        {
            tensor = tensor.t();
        }

        var cpu = tensor.to(ScalarType.Float32).cpu().contiguous();
        return new WrittenTensor(network.Graph.Tensors[index], cpu.shape, cpu.data<float>().ToArray());
    }

    /// <summary>A tensor training changes, as it is written: its description, shape and values.</summary>
    private sealed record WrittenTensor(ImportedTensor Tensor, long[] Shape, float[] Values);

    private static int IndexOf(ImportedGraph graph, NodeProto node)
    {
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            if (ReferenceEquals(graph.Nodes[i], node))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Node '{node.Name}' is not in the graph of '{graph.Name}'.");
    }
}

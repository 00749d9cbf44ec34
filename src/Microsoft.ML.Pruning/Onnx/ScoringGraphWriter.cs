using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Writes an imported network with the library's standard scoring interface, for ML.NET's OnnxTransformer: input
/// <c>Features</c> float <c>[N, F]</c>, reshaped to the user's input shape, then the user's nodes up to the logits, then
/// the head every scoring model ends with (<see cref="OnnxOutputHead"/>, per task).
/// </summary>
/// <remarks>The user's final Softmax/LogSoftmax (and any node the logits do not depend on) is left out: the head
/// applies its own softmax to the logits. User values that happen to be named like the interface's are renamed.</remarks>
internal static class ScoringGraphWriter
{
    public static ModelProto CreateModel(OnnxGraphNetwork network, OnnxExportOptions options)
    {
        var graph = network.Graph;
        var model = ImportedGraphWriter.CreateModel(network, options);
        var target = model.Graph;
        var renames = ReservedNameRenames(target, graph);
        Rename(target, renames);
        string input = renames.GetValueOrDefault(graph.InputName, graph.InputName);
        string logits = renames.GetValueOrDefault(graph.LogitsName, graph.LogitsName);

        KeepNodesFor(target, logits);
        target.ValueInfo.Clear(); // shapes of values that may be gone; nothing needs them
        target.Input.Clear();
        target.Output.Clear();
        target.Input.Add(OnnxOutputHead.Value(OnnxExporter.InputName, TensorProto.Types.DataType.Float,
            OnnxOutputHead.Batch(), new TensorShapeProto.Types.Dimension { DimValue = graph.InputFeatures }));
        var names = target.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        string Unique(string wanted)
        {
            string name = wanted;
            for (int k = 2; !names.Add(name); k++)
            {
                name = $"{wanted}_{k}";
            }

            return name;
        }

        if (input != OnnxExporter.InputName)
        {
            // Reshape the flat rows to the user's input; 0 copies the batch size, so any N (even 0) works.
            string shape = Unique("/Features/shape");
            target.Initializer.Add(OnnxTensors.Int64(shape, new long[] { graph.InputDims.Length + 1 }, graph.InputDims.Prepend(0).ToArray()));
            var reshape = new NodeProto { OpType = "Reshape", Name = Unique("/Features/reshape") };
            reshape.Input.Add(OnnxExporter.InputName);
            reshape.Input.Add(shape);
            reshape.Output.Add(input);
            target.Node.Insert(0, reshape);
        }

        OnnxOutputHead.Emit(target, logits, options.Task, network.Model.OutputWidth, Unique);
        DropUnusedInitializers(target);
        return model;
    }

    /// <summary>New names for user values named Features, Score or PredictedLabel (the user's input keeps the name
    /// Features when it already takes flat rows under it).</summary>
    private static Dictionary<string, string> ReservedNameRenames(GraphProto target, ImportedGraph graph)
    {
        var all = target.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(target.Initializer.Select(t => t.Name))
            .Concat(target.SparseInitializer.Select(s => s.Values?.Name ?? "")).Append(graph.InputName).ToHashSet(StringComparer.Ordinal);
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string reserved in new[] { OnnxExporter.InputName, OnnxExporter.ScoreName, OnnxExporter.ProbabilityName, OnnxExporter.PredictedLabelName })
        {
            bool flatInput = reserved == OnnxExporter.InputName && graph.InputName == reserved && graph.InputDims.Length == 1;
            if (!all.Contains(reserved) || flatInput)
            {
                continue;
            }

            string name = reserved + "/user";
            for (int k = 2; all.Contains(name); k++)
            {
                name = $"{reserved}/user{k}";
            }

            renames[reserved] = name;
        }

        return renames;
    }

    private static void Rename(GraphProto target, Dictionary<string, string> renames)
    {
        if (renames.Count == 0)
        {
            return;
        }

        string Map(string name) => renames.GetValueOrDefault(name, name);
        foreach (var node in target.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = Map(node.Input[i]);
            }

            for (int i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = Map(node.Output[i]);
            }
        }

        foreach (var tensor in target.Initializer)
        {
            tensor.Name = Map(tensor.Name);
        }

        foreach (var sparse in target.SparseInitializer.Where(s => s.Values is not null))
        {
            sparse.Values.Name = Map(sparse.Values.Name);
        }
    }

    /// <summary>Removes the nodes the logits do not depend on (the final activation among them).</summary>
    private static void KeepNodesFor(GraphProto target, string logits)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in target.Node)
        {
            foreach (string output in node.Output.Where(o => o.Length > 0))
            {
                producers[output] = node;
            }
        }

        var needed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<string>();
        pending.Push(logits);
        while (pending.Count > 0)
        {
            if (producers.TryGetValue(pending.Pop(), out var node) && needed.Add(node))
            {
                foreach (string input in node.Input.Where(v => v.Length > 0))
                {
                    pending.Push(input);
                }
            }
        }

        var kept = target.Node.Where(needed.Contains).ToList();
        target.Node.Clear();
        target.Node.AddRange(kept);
    }

    private static void DropUnusedInitializers(GraphProto target)
    {
        var used = target.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var dense = target.Initializer.Where(t => used.Contains(t.Name)).ToList();
        var sparse = target.SparseInitializer.Where(s => used.Contains(s.Values?.Name ?? "")).ToList();
        target.Initializer.Clear();
        target.Initializer.AddRange(dense);
        target.SparseInitializer.Clear();
        target.SparseInitializer.AddRange(sparse);
    }
}

using System.Globalization;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// Checks an ONNX model completely and compiles it into an <see cref="ImportedGraph"/>: opset, input and output,
/// every node's operator, attributes and inputs, where each weight comes from. Any problem is an
/// <see cref="ArgumentException"/> naming the model, the node and its operator, raised here, before any training.
/// </summary>
internal static class GraphAnalyzer
{
    public static ImportedGraph Analyze(ModelProto model, string name)
    {
        var graph = model.Graph ?? throw ImportErrors.Model(name, "has no graph.");
        long opset = DefaultOpset(model, name);
        var constants = new Dictionary<string, ConstantValue>(StringComparer.Ordinal);
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        ReadInitializers(graph, name, constants, roots, initializers);
        var (inputName, inputDims) = ReadInput(graph, name, constants);
        string outputName = ReadOutput(graph, name);
        var producers = WalkNodes(graph, name, opset, inputName, constants, roots);
        var consumers = Consumers(graph);

        if (!producers.TryGetValue(outputName, out int outputNode) || constants.ContainsKey(outputName))
        {
            throw ImportErrors.Model(name, $"output '{outputName}' is not computed from the input by any node.");
        }

        var final = FinalActivation(graph.Node[outputNode], opset, constants);
        string logits = final is null ? outputName : final.Input[0];
        var executed = ExecutedNodes(graph, producers, logits);
        var roles = new TensorRoles(name, graph, executed, constants, roots, initializers, producers, consumers, outputName);
        var layers = Layers(name, graph, executed, roles, constants, inputName, logits, producers);

        var slots = new Dictionary<string, int>(StringComparer.Ordinal) { [inputName] = 0 };
        foreach (int i in executed)
        {
            foreach (string output in graph.Node[i].Output.Where(o => o.Length > 0 && !constants.ContainsKey(o)))
            {
                slots[output] = slots.Count;
            }
        }

        var steps = Compile(name, graph, opset, executed, layers, roles, constants, slots, consumers);
        return new ImportedGraph
        {
            Name = name,
            Model = model,
            Opset = opset,
            InputName = inputName,
            InputDims = inputDims,
            OutputName = outputName,
            LogitsName = logits,
            FinalActivation = final,
            ExecutedNodes = executed,
            Tensors = roles.Tensors,
            Registered = roles.Registered,
            Layers = layers,
            Producers = producers,
            Consumers = consumers,
            Constants = constants,
            Slots = slots,
            Steps = steps,
        };
    }

    private static long DefaultOpset(ModelProto model, string name)
    {
        if (model.IrVersion <= 0)
        {
            throw ImportErrors.Model(name, "has no IR version; it is not an ONNX model.");
        }

        var imports = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").ToList();
        long opset = imports.Count == 1 ? imports[0].Version : 0;
        if (opset < OperatorCatalog.MinOpset || opset > OperatorCatalog.MaxOpset)
        {
            string found = imports.Count == 0 ? "no default-domain opset" : $"default-domain opset {string.Join(", ", imports.Select(o => o.Version))}";
            throw ImportErrors.Model(name, $"uses {found}; the importer takes opsets {OperatorCatalog.MinOpset} to {OperatorCatalog.MaxOpset}.");
        }

        return opset;
    }

    private static void ReadInitializers(GraphProto graph, string name, Dictionary<string, ConstantValue> constants,
        Dictionary<string, string> roots, HashSet<string> initializers)
    {
        foreach (var tensor in graph.Initializer)
        {
            Define(tensor.Name, () => ConstantValue.Read(tensor, $"initializer '{tensor.Name}'"));
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            string key = sparse.Values?.Name ?? "";
            Define(key, () => ConstantValue.ReadSparse(sparse, $"sparse initializer '{key}'"));
        }

        void Define(string key, Func<ConstantValue> read)
        {
            if (key.Length == 0 || constants.ContainsKey(key))
            {
                throw ImportErrors.Model(name, key.Length == 0 ? "has an initializer without a name." : $"defines initializer '{key}' twice.");
            }

            try
            {
                constants[key] = read();
            }
            catch (ArgumentException e)
            {
                throw ImportErrors.Model(name, e.Message);
            }

            roots[key] = key;
            initializers.Add(key);
        }
    }

    /// <summary>The one graph input that is not an initializer: float, <c>[batch, d1, ...]</c> with fixed d's.</summary>
    private static (string Name, long[] Dims) ReadInput(GraphProto graph, string name, Dictionary<string, ConstantValue> constants)
    {
        var inputs = graph.Input.Where(v => !constants.ContainsKey(v.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw ImportErrors.Model(name, $"has {inputs.Count} inputs ({string.Join(", ", inputs.Select(v => $"'{v.Name}'"))}); "
                + "the importer takes models with one input, the features of a row.");
        }

        var input = inputs[0];
        var tensor = input.Type?.TensorType ?? throw ImportErrors.Model(name, $"input '{input.Name}' is not a tensor.");
        if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw ImportErrors.Model(name, $"input '{input.Name}' has element type {ConstantValue.TypeName(tensor.ElemType)}; the importer takes float32 input.");
        }

        var dims = tensor.Shape?.Dim.ToList() ?? new List<TensorShapeProto.Types.Dimension>();
        string shape = "[" + string.Join(", ", dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
            ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam.Length > 0 ? d.DimParam : "?")) + "]";
        if (dims.Count < 2 || dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0))
        {
            throw ImportErrors.Model(name, $"input '{input.Name}' has shape {shape}; the importer needs [batch, d1, ...] with the batch first "
                + "and every other dimension a fixed positive size (e.g. [N, 784] or [N, 1, 28, 28]).");
        }

        return (input.Name, dims.Skip(1).Select(d => d.DimValue).ToArray());
    }

    private static string ReadOutput(GraphProto graph, string name)
    {
        if (graph.Output.Count != 1)
        {
            throw ImportErrors.Model(name, $"has {graph.Output.Count} outputs ({string.Join(", ", graph.Output.Select(v => $"'{v.Name}'"))}); "
                + "the importer takes classifiers with one output, [N, classes] (logits, probabilities or log-probabilities).");
        }

        var output = graph.Output[0];
        if (output.Type?.TensorType is { } t && t.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw ImportErrors.Model(name, $"output '{output.Name}' has element type {ConstantValue.TypeName(t.ElemType)}; the importer takes float32 output.");
        }

        return output.Name;
    }

    /// <summary>Checks every node in order (operator, input count, inputs defined before use, outputs defined once)
    /// and reads the values of Constant nodes and of Identities of constants.</summary>
    private static Dictionary<string, int> WalkNodes(GraphProto graph, string name, long opset, string inputName,
        Dictionary<string, ConstantValue> constants, Dictionary<string, string> roots)
    {
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        var defined = new HashSet<string>(constants.Keys, StringComparer.Ordinal) { inputName };
        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            ArgumentException Fail(string problem) => ImportErrors.Node(name, node, i, problem);
            if (node.Domain is not ("" or "ai.onnx"))
            {
                throw Fail($"is in operator domain '{node.Domain}'; the importer runs the default ONNX domain only. Supported operators: {OperatorCatalog.Names}.");
            }

            if (!OperatorCatalog.Operators.TryGetValue(node.OpType, out var spec))
            {
                throw Fail($"is an operator the importer does not run. Supported operators: {OperatorCatalog.Names}.");
            }

            if (node.Input.Count < spec.MinInputs || node.Input.Count > spec.MaxInputs)
            {
                throw Fail($"has {node.Input.Count} inputs; {node.OpType} takes {spec.MinInputs}{(spec.MaxInputs == spec.MinInputs ? "" : spec.MaxInputs == int.MaxValue ? " or more" : $" to {spec.MaxInputs}")}.");
            }

            foreach (string input in node.Input.Where(v => v.Length > 0))
            {
                if (!defined.Contains(input))
                {
                    throw Fail($"reads '{input}', which no initializer, graph input or earlier node defines (nodes must be in topological order).");
                }
            }

            if (node.Output.Count == 0 || node.Output[0].Length == 0)
            {
                throw Fail("has no output.");
            }

            foreach (string output in node.Output.Where(v => v.Length > 0))
            {
                if (!defined.Add(output))
                {
                    throw Fail($"writes '{output}', which is already defined by an initializer, the input or another node.");
                }

                producers[output] = i;
            }

            if (node.OpType == "Constant")
            {
                constants[node.Output[0]] = ReadConstantNode(node, Fail);
                roots[node.Output[0]] = node.Output[0];
            }
            else if (node.OpType == "Identity" && constants.TryGetValue(node.Input[0], out var value))
            {
                constants[node.Output[0]] = value;
                roots[node.Output[0]] = roots[node.Input[0]];
            }
        }

        return producers;
    }

    private static ConstantValue ReadConstantNode(NodeProto node, Func<string, ArgumentException> fail)
    {
        var a = new NodeAttributes(node, new[] { "value", "value_float", "value_floats", "value_int", "value_ints", "sparse_value" }, fail);
        if (a.Names.Count() != 1)
        {
            throw fail("must set exactly one of value, value_float, value_floats, value_int, value_ints, sparse_value.");
        }

        try
        {
            return a.Names.Single() switch
            {
                "value" => ConstantValue.Read(a.Tensor("value")!, "its value"),
                "sparse_value" => ConstantValue.ReadSparse(a.SparseTensor("sparse_value")!, "its sparse value"),
                "value_float" => ConstantValue.Float(Array.Empty<long>(), new[] { a.Float("value_float", 0) }),
                "value_floats" => ConstantValue.Float(new long[] { a.Floats("value_floats")!.Length }, a.Floats("value_floats")!),
                "value_int" => ConstantValue.Int64(Array.Empty<long>(), new[] { a.Int("value_int", 0) }),
                _ => ConstantValue.Int64(new long[] { a.Ints("value_ints")!.Length }, a.Ints("value_ints")!),
            };
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("ONNX model", StringComparison.Ordinal))
        {
            throw fail(e.Message);
        }
    }

    private static Dictionary<string, IReadOnlyList<(int Node, int Input)>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<(int, int)>>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
        {
            for (int k = 0; k < graph.Node[i].Input.Count; k++)
            {
                string value = graph.Node[i].Input[k];
                if (value.Length > 0)
                {
                    (consumers.TryGetValue(value, out var list) ? list : consumers[value] = new List<(int, int)>()).Add((i, k));
                }
            }
        }

        return consumers.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(int, int)>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>A Softmax or LogSoftmax over axis 1 or -1 that makes the output: the network trains on its input.</summary>
    private static NodeProto? FinalActivation(NodeProto last, long opset, Dictionary<string, ConstantValue> constants)
    {
        if (last.OpType is not ("Softmax" or "LogSoftmax") || constants.ContainsKey(last.Input[0]))
        {
            return null;
        }

        var axis = last.Attribute.FirstOrDefault(a => a.Name == "axis");
        long value = axis?.I ?? (opset < 13 ? 1 : -1);
        // On the [N, classes] output every such axis is the class axis; the dry run checks the rank.
        return value is 1 or -1 ? last : null;
    }

    /// <summary>The nodes the logits depend on, in graph order.</summary>
    private static List<int> ExecutedNodes(GraphProto graph, Dictionary<string, int> producers, string logits)
    {
        var needed = new HashSet<int>();
        var pending = new Stack<int>();
        if (producers.TryGetValue(logits, out int last))
        {
            needed.Add(last);
            pending.Push(last);
        }

        while (pending.Count > 0)
        {
            foreach (string input in graph.Node[pending.Pop()].Input.Where(v => v.Length > 0))
            {
                if (producers.TryGetValue(input, out int producer) && needed.Add(producer))
                {
                    pending.Push(producer);
                }
            }
        }

        return needed.Order().ToList();
    }

    /// <summary>The Gemm, MatMul and Conv nodes the logits depend on, with their weights and biases.</summary>
    private static List<ImportedLayer> Layers(string name, GraphProto graph, List<int> executed, TensorRoles roles,
        Dictionary<string, ConstantValue> constants, string inputName, string logits, Dictionary<string, int> producers)
    {
        var layerNodes = executed.Where(i => OperatorCatalog.HasPrunableWeight(graph.Node[i].OpType)).ToList();
        var nodeNames = graph.Node.Where(n => n.Name.Length > 0).GroupBy(n => n.Name, StringComparer.Ordinal)
            .Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var mainPath = MainPath.Of(graph, executed, layerNodes.ToHashSet(), constants, inputName, logits);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var layers = new List<ImportedLayer>();
        foreach (int i in layerNodes)
        {
            var node = graph.Node[i];
            int weight = roles.RegisteredIndex(i, 1) ?? throw new InvalidOperationException($"The weight of node '{node.Name}' was not registered.");
            string layerName = LayerName(node, roles.Tensors[weight].ValueName, nodeNames, used);
            var kind = node.OpType == "Conv" ? PrunableLayerKind.Conv2d : PrunableLayerKind.Linear;
            var info = new PrunableLayerInfo(layerName, kind, roles.Tensors[weight].StoredShape, mainPath.Contains(i));
            layers.Add(new ImportedLayer(info, node, i, weight, roles.BiasOf(i, node)));
        }

        if (layers.Count == 0)
        {
            throw ImportErrors.Model(name, "has no Gemm, MatMul (with a constant weight) or Conv node on the way to its output, so there is nothing to prune.");
        }

        return layers;
    }

    /// <summary>The node's name when it has a unique one; else the weight's name without a ".weight" suffix.</summary>
    private static string LayerName(NodeProto node, string weight, HashSet<string> uniqueNodeNames, HashSet<string> used)
    {
        string name = uniqueNodeNames.Contains(node.Name)
            ? node.Name
            : weight.EndsWith(".weight", StringComparison.Ordinal) ? weight[..^".weight".Length] : weight;
        string candidate = name;
        for (int k = 2; !used.Add(candidate); k++)
        {
            candidate = $"{name}#{k}";
        }

        return candidate;
    }

    private static List<(int, NodeStep)> Compile(string name, GraphProto graph, long opset, List<int> executed, List<ImportedLayer> layers,
        TensorRoles roles, Dictionary<string, ConstantValue> constants, Dictionary<string, int> slots,
        Dictionary<string, IReadOnlyList<(int Node, int Input)>> consumers)
    {
        var layerOf = layers.Select((l, k) => (l.NodeIndex, k)).ToDictionary(p => p.NodeIndex, p => p.k);
        var steps = new List<(int, NodeStep)>();
        foreach (int i in executed)
        {
            var node = graph.Node[i];
            ValueRef Resolve(int input)
            {
                if (roles.RegisteredIndex(i, input) is { } registered)
                {
                    return ValueRef.Registered(registered);
                }

                string value = node.Input[input];
                if (constants.TryGetValue(value, out var constant))
                {
                    return constant.IsFloat
                        ? throw ImportErrors.Node(name, node, i, $"reads float constant '{value}' where the importer expects a computed value or an integer.")
                        : ValueRef.Integer(constant);
                }

                return ValueRef.Slot(slots[value]);
            }

            var context = new NodeContext(name, node, i, opset, layerOf.GetValueOrDefault(i, -1), Resolve,
                v => constants.GetValueOrDefault(v), v => slots[v], v => consumers.ContainsKey(v) || graph.Output.Any(o => o.Name == v));
            if (OperatorCatalog.Operators[node.OpType].Compile(context) is { } step)
            {
                steps.Add((i, step));
            }
        }

        return steps;
    }
}

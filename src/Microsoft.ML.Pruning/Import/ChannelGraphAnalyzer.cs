using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// Derives the channel groups of an imported graph from the data flow of its nodes, as Torch-Pruning's dependency
/// graph does: a Gemm, MatMul or Conv produces a group (its output channels, with its bias); BatchNormalization,
/// activations, dropout and pooling keep channel <c>c</c> channel <c>c</c> (a batch norm's four tensors go with the
/// group); a Flatten or Reshape to <c>[N, C·H·W]</c> makes a channel a block of <c>H·W</c> features of the next layer's
/// input; an Add or Sub of two such values ties their groups into one (a residual add); the next Conv, Gemm or MatMul
/// reads the group's channels as its input slices.
/// </summary>
/// <remarks>
/// Where the analysis cannot be sure which channel is which, the group is left whole (<see cref="ChannelGroup.Prunable"/>
/// false) rather than pruned wrongly: the graph's input and output, a value read by an operator it does not follow
/// (Concat, Split, Transpose, Gather, Squeeze, a non-final Softmax, any other), a grouped or depthwise convolution, a
/// reshape that is not a flatten (or whose target shape is a constant that holds the feature count), an elementwise
/// operation with a tensor that is neither one value nor the layer's bias, a bias or batch-norm tensor that is not one
/// value per channel, and a tensor shared by two groups. A Shape node reads a value without consuming its channels: a
/// shape computed from it at run time follows the compacted size.
/// </remarks>
internal sealed class ChannelGraphAnalyzer
{
    private readonly ImportedGraph _graph;
    private readonly IReadOnlyDictionary<string, long[]> _shapes;
    private readonly Dictionary<string, Tag> _tags = new(StringComparer.Ordinal);
    private readonly List<ChannelGroupBuilder> _all = new();
    private readonly Dictionary<string, (ChannelGroupBuilder Group, int Block)> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelGroupBuilder> _outputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelGroupBuilder> _norms = new(StringComparer.Ordinal);

    private ChannelGraphAnalyzer(ImportedGraph graph, IReadOnlyDictionary<string, long[]> shapes)
    {
        _graph = graph;
        _shapes = shapes;
    }

    /// <summary>The channel groups of <paramref name="graph"/>, whose computed values have <paramref name="shapes"/>
    /// (from the check at import; -1 for the batch dimension).</summary>
    public static ImportedChannelGroups Analyze(ImportedGraph graph, IReadOnlyDictionary<string, long[]> shapes) =>
        new ChannelGraphAnalyzer(graph, shapes).Run();

    private ImportedChannelGroups Run()
    {
        var input = New(_graph.InputDims.Length > 0 ? checked((int)_graph.InputDims[0]) : 1);
        input.Fix($"it is the graph input '{_graph.InputName}'");
        _tags[_graph.InputName] = new Tag(input, 1, _graph.InputDims.Length + 1);
        var layers = _graph.Layers.ToDictionary(l => l.NodeIndex);
        foreach (int i in _graph.ExecutedNodes)
        {
            var node = _graph.Nodes[i];
            if (node.OpType == "Constant" || node.Output.All(o => o.Length == 0 || _graph.Constants.ContainsKey(o)))
            {
                continue;
            }

            if (layers.TryGetValue(i, out var layer))
            {
                Layer(layer);
            }
            else
            {
                Step(node, i);
            }
        }

        foreach (string output in new[] { _graph.LogitsName, _graph.OutputName })
        {
            if (TagOf(output) is { } tag)
            {
                tag.Group.Fix($"it is the network's output '{output}'");
            }
        }

        FixSharedTensors();
        return Build();
    }

    /// <summary>A prunable layer: reads a group's channels as input slices and produces a new group.</summary>
    private void Layer(ImportedLayer layer)
    {
        var node = layer.Node;
        string name = layer.Info.Name;
        var shape = layer.Info.WeightShape;
        int outChannels = checked((int)shape[0]);
        int inWidth = checked((int)shape[1]);
        var tag = TagOf(node.Input[0]);
        string? problem = InputProblem(node, tag, inWidth);
        ChannelGroupBuilder input;
        int block;
        if (problem is null)
        {
            (input, block) = (tag!.Group, tag.Block);
        }
        else
        {
            if (tag is not null)
            {
                tag.Group.Fix(problem);
            }

            // Its input slices are no group's channels: a group of their own, never pruned.
            (input, block) = (New(inWidth), 1);
            input.Fix(problem);
        }

        input.Consumers.Add(new ChannelConsumer(name, block));
        _inputs[name] = (input, block);
        var output = New(outChannels);
        output.Producers.Add(new ChannelGroupBuilder.Producer(name));
        _outputs[name] = output;
        if (Grouped(node))
        {
            output.Fix($"'{name}' is a grouped or depthwise convolution");
        }

        if (layer.Bias is { } bias)
        {
            Couple(output, bias, $"the bias of '{name}'");
        }

        _tags[node.Output[0]] = new Tag(output, 1, Rank(node.Output[0]));
    }

    /// <summary>Why a layer's input cannot be read as a group's channels, or null when it can.</summary>
    private string? InputProblem(NodeProto node, Tag? tag, int inWidth)
    {
        string label = Label(node);
        if (tag is null)
        {
            return $"the input of {label} is computed by operations the channel analysis does not follow";
        }

        if (node.OpType == "Conv")
        {
            if (Grouped(node))
            {
                return $"{label} is a grouped or depthwise convolution";
            }

            return tag.Rank == 4 && tag.Block == 1 && tag.Group.Channels == inWidth ? null : $"the input of {label} is not the channels of an image";
        }

        if (node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transA" && a.I != 0))
        {
            return $"{label} transposes its input";
        }

        return tag.Rank == 2 && tag.Group.Channels * (long)tag.Block == inWidth ? null : $"the input of {label} is not a whole number of channels";
    }

    /// <summary>Every node that is not a prunable layer.</summary>
    private void Step(NodeProto node, int index)
    {
        switch (node.OpType)
        {
            case "BatchNormalization":
                Norm(node, index);
                break;
            case "Relu" or "LeakyRelu" or "Sigmoid" or "Tanh" or "Clip" or "Dropout" or "Identity"
                or "MaxPool" or "AveragePool" or "GlobalAveragePool":
                PassThrough(node);
                break;
            case "Add" or "Sub":
                Sum(node, index);
                break;
            case "Mul" or "Div":
                Scale(node, index);
                break;
            case "Flatten":
                Flatten(node);
                break;
            case "Reshape":
                Reshape(node);
                break;
            case "Shape":
                break; // reads the shape only; a target shape computed from it follows the compacted size
            default:
                Unfollowed(node, $"it is read by {Label(node)} ({node.OpType}), which the channel analysis does not follow");
                break;
        }
    }

    private void Norm(NodeProto node, int index)
    {
        if (TagOf(node.Input[0]) is not { } tag)
        {
            return;
        }

        string label = Label(node);
        if (tag.Block != 1)
        {
            tag.Group.Fix($"{label} normalises features of a flattened channel");
        }

        for (int k = 1; k <= 4; k++)
        {
            if (_graph.Registered.TryGetValue((index, k), out int tensor))
            {
                Couple(tag.Group, tensor, $"input {k + 1} of {label}");
            }
        }

        string name = NodeName(node, index);
        tag.Group.Tail.Add(new ChannelOperation(name));
        _norms[name] = tag.Group;
        _tags[node.Output[0]] = tag;
    }

    private void PassThrough(NodeProto node)
    {
        if (TagOf(node.Input[0]) is { } tag)
        {
            if (node.OpType == "Relu")
            {
                tag.Group.Tail.Add(ChannelOperation.Relu);
            }

            _tags[node.Output[0]] = tag;
        }
    }

    /// <summary>Add or Sub: two computed values tie their groups (a residual add); a constant must be one value or the
    /// producer's bias (a MatMul's bias Add).</summary>
    private void Sum(NodeProto node, int index)
    {
        Tag? a = TagOf(node.Input[0]), b = TagOf(node.Input[1]);
        if (a is not null && b is not null)
        {
            if (a.Block == b.Block && a.Rank == b.Rank && a.Group.Channels == b.Group.Channels && Rank(node.Output[0]) == a.Rank)
            {
                var merged = ChannelGroupBuilder.Merge(a.Group, b.Group);
                _tags[node.Output[0]] = new Tag(merged, a.Block, a.Rank);
            }
            else
            {
                Unfollowed(node, $"{Label(node)} adds values whose channels do not match");
            }

            return;
        }

        OneOperand(node, index, a is not null ? 0 : 1, allowBias: true);
    }

    /// <summary>Mul or Div: only by one value (a product of two computed values is not followed).</summary>
    private void Scale(NodeProto node, int index)
    {
        Tag? a = TagOf(node.Input[0]), b = TagOf(node.Input[1]);
        if (a is not null && b is not null)
        {
            Unfollowed(node, $"{Label(node)} multiplies two computed values");
            return;
        }

        // x / c keeps channels apart; c / x does too, but maps a removed channel's 0 to infinity: not followed.
        if (node.OpType == "Div" && b is not null)
        {
            Unfollowed(node, $"{Label(node)} divides by a computed value");
            return;
        }

        OneOperand(node, index, a is not null ? 0 : 1, allowBias: false);
    }

    /// <summary>An elementwise node with one computed operand <paramref name="computed"/> (if any) and a constant or an
    /// untracked value as the other.</summary>
    private void OneOperand(NodeProto node, int index, int computed, bool allowBias)
    {
        if (TagOf(node.Input[computed]) is not { } tag)
        {
            return;
        }

        string other = node.Input[1 - computed];
        if (!_graph.Constants.TryGetValue(other, out var constant))
        {
            Unfollowed(node, $"{Label(node)} combines it with a value the channel analysis does not follow");
            return;
        }

        bool bias = allowBias && _graph.Registered.TryGetValue((index, 1 - computed), out int tensor) && tag.Group.Tensors.Contains(tensor);
        if (constant.Count != 1 && !bias)
        {
            tag.Group.Fix($"{Label(node)} applies constant '{other}' of {constant.Count} values to it");
        }

        _tags[node.Output[0]] = tag;
    }

    private void Flatten(NodeProto node)
    {
        if (TagOf(node.Input[0]) is not { } tag)
        {
            return;
        }

        long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1;
        if (axis == 1 && tag.Rank == 2)
        {
            _tags[node.Output[0]] = tag;
        }
        else if (axis == 1 && tag.Rank == 4 && tag.Block == 1 && SpatialSize(node.Input[0]) is { } block)
        {
            _tags[node.Output[0]] = new Tag(tag.Group, block, 2);
        }
        else
        {
            Unfollowed(node, $"{Label(node)} flattens it at axis {axis}");
        }
    }

    /// <summary>A reshape of <c>[N, C, H, W]</c> to <c>[N, C·H·W]</c> is a flatten; any other mixes channels up.</summary>
    private void Reshape(NodeProto node)
    {
        if (TagOf(node.Input[0]) is not { } tag)
        {
            return;
        }

        var output = _shapes.GetValueOrDefault(node.Output[0]);
        long? block = tag.Rank == 4 && tag.Block == 1 ? SpatialSize(node.Input[0]) : null;
        bool flatten = block is { } b && output is { Length: 2 } && output[1] == tag.Group.Channels * b;
        // A constant target that spells out the feature count (e.g. [-1, 784]) would be wrong once channels go.
        bool fixedTarget = _graph.Constants.TryGetValue(node.Input[1], out var target)
            && !(target.Longs is { Length: 2 } t && t[1] == -1);
        if (flatten && !fixedTarget)
        {
            _tags[node.Output[0]] = new Tag(tag.Group, checked((int)block!.Value), 2);
        }
        else
        {
            Unfollowed(node, fixedTarget && flatten
                ? $"{Label(node)} flattens it to a constant shape that holds the feature count"
                : $"{Label(node)} reshapes it in a way that is not a flatten of whole channels");
        }
    }

    /// <summary>A node the analysis does not follow: every group among its inputs stays whole; its outputs are no group.</summary>
    private void Unfollowed(NodeProto node, string reason)
    {
        foreach (string input in node.Input.Where(v => v.Length > 0))
        {
            if (TagOf(input) is { } tag)
            {
                tag.Group.Fix(reason);
            }
        }
    }

    /// <summary>A tensor that holds one value per channel of <paramref name="group"/>; anything else keeps it whole.</summary>
    private void Couple(ChannelGroupBuilder group, int tensor, string what)
    {
        var shape = _graph.Tensors[tensor].StoredShape;
        if (shape.Length != 1 || shape[0] != group.Channels)
        {
            group.Fix($"{what} has shape [{string.Join(", ", shape)}], not one value per channel");
        }

        group.Tensors.Add(tensor);
    }

    /// <summary>A tensor written once per group: one read by two groups (a parameter PyTorch's exporter shares through an
    /// Identity) keeps both whole.</summary>
    private void FixSharedTensors()
    {
        var owners = new Dictionary<int, ChannelGroupBuilder>();
        foreach (var group in _all.Select(b => b.Root).Distinct())
        {
            foreach (int tensor in group.Tensors)
            {
                if (owners.TryGetValue(tensor, out var other) && other != group)
                {
                    string reason = $"tensor '{_graph.Tensors[tensor].ValueName}' belongs to two channel groups";
                    group.Fix(reason);
                    other.Fix(reason);
                }

                owners[tensor] = group;
            }
        }
    }

    private ImportedChannelGroups Build()
    {
        var order = _graph.Layers.Select((l, i) => (l.Info.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var roots = _all.Select(b => b.Root).Distinct()
            .OrderBy(b => b.Producers.Count == 0 ? -1 : b.Producers.Min(p => order[p.Layer]))
            .ThenBy(b => _all.IndexOf(b))
            .ToList();
        var index = new Dictionary<ChannelGroupBuilder, int>();
        var groups = new List<ChannelGroup>();
        var tensors = new Dictionary<int, int>();
        var reasons = new Dictionary<int, string>();
        foreach (var b in roots)
        {
            int at = groups.Count;
            index[b] = at;
            var coupled = b.Tensors.Where(t => _graph.Tensors[t].Role == ImportedTensorRole.Parameter)
                .Select(t => _graph.Tensors[t].Key).Distinct(StringComparer.Ordinal).ToArray();
            groups.Add(b.ToGroup(at, order, coupled));
            foreach (int t in b.Tensors)
            {
                tensors[t] = at;
            }

            if (!b.Prunable)
            {
                reasons[at] = b.Reason ?? "no layer produces its channels";
            }
        }

        var channelGroups = new ChannelGroups(
            groups,
            _inputs.ToDictionary(kv => kv.Key, kv => (index[kv.Value.Group.Root], kv.Value.Block), StringComparer.Ordinal),
            _outputs.ToDictionary(kv => kv.Key, kv => index[kv.Value.Root], StringComparer.Ordinal),
            _norms.ToDictionary(kv => kv.Key, kv => index[kv.Value.Root], StringComparer.Ordinal));
        return new ImportedChannelGroups(channelGroups, tensors, reasons);
    }

    private Tag? TagOf(string value) => _tags.TryGetValue(value, out var tag) ? tag with { Group = tag.Group.Root } : null;

    private int Rank(string value) => _shapes.TryGetValue(value, out var shape) ? shape.Length : -1;

    /// <summary>H·W of a <c>[N, C, H, W]</c> value, when known.</summary>
    private int? SpatialSize(string value) =>
        _shapes.TryGetValue(value, out var s) && s.Length == 4 && s[2] > 0 && s[3] > 0 ? checked((int)(s[2] * s[3])) : null;

    private static bool Grouped(NodeProto node) => node.OpType == "Conv" && node.Attribute.Any(a => a.Name == "group" && a.I != 1);

    private static string NodeName(NodeProto node, int index) => node.Name.Length > 0 ? node.Name : $"#{index}";

    private string Label(NodeProto node) => $"node {ImportErrors.Label(node, IndexOf(node))}";

    private int IndexOf(NodeProto node)
    {
        for (int i = 0; i < _graph.Nodes.Count; i++)
        {
            if (ReferenceEquals(_graph.Nodes[i], node))
            {
                return i;
            }
        }

        return -1;
    }

    private ChannelGroupBuilder New(int channels)
    {
        var b = new ChannelGroupBuilder { Channels = channels };
        _all.Add(b);
        return b;
    }

    /// <summary>A computed value whose axis 1 is a group's channels, each <see cref="Block"/> consecutive entries.</summary>
    private sealed record Tag(ChannelGroupBuilder Group, int Block, int Rank);
}

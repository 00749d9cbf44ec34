using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The channel groups of a network (<see cref="ChannelGroup"/>): which output channels of which layers must be removed
/// together, with which batch-norm channels and which input slices of the layers that read them. Derived from the
/// layer list, like Torch-Pruning's dependency graph: Conv2d/Linear → batch norm → the next layer's input slice; the
/// channels of both branches of a residual add are one group; a flatten turns a channel into a block of the next
/// Linear's inputs.
/// </summary>
public sealed class ChannelGroups
{
    private readonly Dictionary<string, (int Group, int Block)> _inputs;
    private readonly Dictionary<string, int> _outputs;
    private readonly Dictionary<string, int> _norms;

    internal ChannelGroups(IReadOnlyList<ChannelGroup> groups, Dictionary<string, (int, int)> inputs, Dictionary<string, int> outputs, Dictionary<string, int> norms)
    {
        Groups = groups;
        _inputs = inputs;
        _outputs = outputs;
        _norms = norms;
    }

    /// <summary>Every group, the network's input first, then in forward order of their first producer.</summary>
    public IReadOnlyList<ChannelGroup> Groups { get; }

    /// <summary>The groups that channel pruning may shrink.</summary>
    public IEnumerable<ChannelGroup> Prunable => Groups.Where(g => g.Prunable);

    /// <summary>The group a prunable layer reads, and how many of its inputs one channel is.</summary>
    public (ChannelGroup Group, int Block) InputOf(string layer) => (Groups[_inputs[layer].Group], _inputs[layer].Block);

    /// <summary>The group of a prunable layer's output channels.</summary>
    public ChannelGroup OutputOf(string layer) => Groups[_outputs[layer]];

    /// <summary>The group a batch norm normalises.</summary>
    public ChannelGroup NormOf(string norm) => Groups[_norms[norm]];

    /// <summary>The channel groups of <paramref name="source"/>: a built-in's from its layer list, an imported ONNX
    /// graph's from the data flow of its nodes (see <see cref="OnnxModelSource"/> and <c>docs/import.md</c>).</summary>
    /// <exception cref="NotSupportedException">The network is neither a built-in nor an imported ONNX graph.</exception>
    public static ChannelGroups Analyze(INetworkSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source switch
        {
            NetworkDefinition definition => new Walker(definition).Run(),
            OnnxModelSource model => model.Channels.Groups,
            _ => throw new NotSupportedException(
                $"Channel granularity needs a built-in architecture or an imported ONNX model; '{source.Name}' is a {source.GetType().Name}, " +
                "whose channel groups are not known. Prune it with weight granularity."),
        };
    }

    /// <summary>Walks the layer list once, building groups and merging those a residual add ties together.</summary>
    private sealed class Walker
    {
        private readonly NetworkDefinition _definition;
        private readonly List<ChannelGroupBuilder> _all = new();
        private readonly Dictionary<string, (ChannelGroupBuilder Group, int Block)> _inputs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChannelGroupBuilder> _outputs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChannelGroupBuilder> _norms = new(StringComparer.Ordinal);

        public Walker(NetworkDefinition definition) => _definition = definition;

        public ChannelGroups Run()
        {
            int inputChannels = _definition.InputShape?.Channels ?? _definition.InputFeatures;
            var input = New(inputChannels);
            input.Fix("the network's input");
            var output = Walk(_definition.Layers, "", input, atInput: true).Group;
            output.Root.Fix("the network's output"); // the network's outputs are its classes

            // Forward order everywhere: groups by their first producer, producers and consumers by layer.
            var order = _definition.PrunableLayers.Select((l, i) => (l.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
            var roots = _all.Select(b => b.Root).Distinct().OrderBy(b => b.Producers.Count == 0 ? -1 : b.Producers.Min(p => order[p.Layer])).ToList();
            var index = new Dictionary<ChannelGroupBuilder, int>();
            var groups = new List<ChannelGroup>();
            foreach (var b in roots)
            {
                index[b] = groups.Count;
                groups.Add(b.ToGroup(groups.Count, order));
            }

            return new ChannelGroups(
                groups,
                _inputs.ToDictionary(kv => kv.Key, kv => (index[kv.Value.Group.Root], kv.Value.Block), StringComparer.Ordinal),
                _outputs.ToDictionary(kv => kv.Key, kv => index[kv.Value.Root], StringComparer.Ordinal),
                _norms.ToDictionary(kv => kv.Key, kv => index[kv.Value.Root], StringComparer.Ordinal));
        }

        private (ChannelGroupBuilder Group, bool AtInput) Walk(IReadOnlyList<LayerSpec> layers, string prefix, ChannelGroupBuilder current, bool atInput)
        {
            foreach (var layer in layers)
            {
                (current, atInput) = Step(layer, prefix, current, atInput);
            }

            return (current, atInput);
        }

        private (ChannelGroupBuilder Group, bool AtInput) Step(LayerSpec layer, string prefix, ChannelGroupBuilder current, bool atInput)
        {
            string path = prefix + layer.Name;
            var group = current.Root;
            switch (layer)
            {
                case LinearLayer linear:
                    // The inputs are the group's channels, each a block of features when a flatten came between.
                    int block = Math.Max(1, linear.InFeatures / group.Channels);
                    // A layout that is not whole channels of equal blocks cannot be followed: those channels stay.
                    if (linear.InFeatures != block * group.Channels)
                    {
                        group.Fix($"'{path}' reads it in blocks that are not whole channels");
                    }

                    return Produce(path, group, block, linear.OutFeatures);
                case Conv2dLayer conv:
                    return Produce(path, group, 1, conv.OutChannels);
                case BatchNormLayer:
                    group.Tail.Add(new ChannelOperation(path));
                    _norms[path] = group;
                    return (group, atInput);
                case ReluLayer:
                    group.Tail.Add(ChannelOperation.Relu);
                    return (group, atInput);
                case ReshapeLayer:
                    // Reshaping the network's input is its image layout; anywhere else it mixes channels up.
                    if (!atInput)
                    {
                        group.Fix($"'{path}' reshapes it");
                    }

                    return (group, atInput);
                case ResidualBlock residual:
                {
                    string inner = path + ".";
                    var main = Walk(residual.Main, inner, group, atInput).Group.Root;
                    var shortcut = residual.HasIdentityShortcut ? group : Walk(residual.Shortcut, inner, group, atInput).Group.Root;
                    return (ChannelGroupBuilder.Merge(main, shortcut), false);
                }

                default:
                    // Pooling, flatten, global average pooling, dropout: channel c stays channel c.
                    return (group, atInput);
            }
        }

        private (ChannelGroupBuilder, bool) Produce(string path, ChannelGroupBuilder input, int block, int outChannels)
        {
            input.Consumers.Add(new ChannelConsumer(path, block));
            _inputs[path] = (input, block);
            var output = New(outChannels);
            output.Producers.Add(new ChannelGroupBuilder.Producer(path));
            _outputs[path] = output;
            return (output, false);
        }

        private ChannelGroupBuilder New(int channels)
        {
            var b = new ChannelGroupBuilder { Channels = channels };
            _all.Add(b);
            return b;
        }
    }
}

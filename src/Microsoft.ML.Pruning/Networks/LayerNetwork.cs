using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// The TorchSharp module of a <see cref="NetworkDefinition"/> (a built-in architecture or a network described with the
/// layer vocabulary). Made by <see cref="NetworkBuilder.Build"/>.
/// </summary>
/// <remarks>
/// Parameter and buffer keys (<c>named_parameters()</c>, <c>state_dict()</c>) are the layer names joined by dots:
/// <c>fc1.weight</c>, <c>fc1.bias</c>, <c>conv1_bn.running_mean</c>, and inside residual blocks
/// <c>stage2_block0.conv1.weight</c>, <c>stage2_block0.shortcut_conv.weight</c>. Layers without parameters (ReLU,
/// pooling, flatten, reshape) have no module; Linear, Conv2d, BatchNorm and Dropout layers do, so
/// <c>train()</c>/<c>eval()</c> switch BatchNorm and Dropout.
/// </remarks>
public sealed class LayerNetwork : PrunableNetwork
{
    private readonly Node[] _nodes;

    internal LayerNetwork(NetworkDefinition definition)
        : base(definition)
    {
        Definition = definition;
        var prunable = new List<PrunableLayer>();
        _nodes = CreateNodes(this, definition.Layers, prefix: "", definition.PrunableLayers, prunable);
        SetPrunableLayers(prunable);
    }

    /// <summary>The network's description.</summary>
    public NetworkDefinition Definition { get; }

    /// <inheritdoc />
    private protected override Tensor Run(Tensor input, Action<int, Tensor>? observer) => Run(_nodes, input, observer);

    /// <summary>Creates and registers the modules of <paramref name="layers"/> under <paramref name="parent"/>.</summary>
    private static Node[] CreateNodes(
        nn.Module parent, IReadOnlyList<LayerSpec> layers, string prefix, IReadOnlyList<PrunableLayerInfo> infos, List<PrunableLayer> prunable)
    {
        var nodes = new Node[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var spec = layers[i];
            nn.Module? module = spec switch
            {
                LinearLayer l => nn.Linear(l.InFeatures, l.OutFeatures, hasBias: l.Bias, dtype: ScalarType.Float32),
                Conv2dLayer c => nn.Conv2d(c.InChannels, c.OutChannels, kernel_size: (long)c.KernelSize, stride: c.Stride, padding: c.Padding,
                    bias: c.Bias, dtype: ScalarType.Float32),
                // No dtype here: TorchSharp would also give num_batches_tracked that type instead of PyTorch's int64.
                BatchNormLayer { Spatial: true } b => nn.BatchNorm2d(b.Features, b.Epsilon, b.Momentum),
                BatchNormLayer b => nn.BatchNorm1d(b.Features, b.Epsilon, b.Momentum),
                DropoutLayer d => nn.Dropout(d.P),
                ResidualBlock => new BlockModule(),
                _ => null, // no parameters, no train/eval behaviour: applied as a function
            };
            if (module is not null)
            {
                parent.register_module(spec.Name, module);
            }

            int prunableIndex = -1;
            if (spec is LinearLayer or Conv2dLayer)
            {
                // Same walk order as NetworkDefinition's (main path, then shortcut), so the indices line up.
                prunableIndex = prunable.Count;
                var info = infos[prunableIndex];
                if (info.Name != prefix + spec.Name)
                {
                    throw new InvalidOperationException($"Prunable layer #{prunableIndex} is '{prefix + spec.Name}' but the definition lists '{info.Name}'.");
                }

                prunable.Add(new PrunableLayer(prunableIndex, info, module!));
            }

            var block = spec as ResidualBlock;
            nodes[i] = new Node(
                spec,
                module as nn.Module<Tensor, Tensor>,
                prunableIndex,
                block is null ? Array.Empty<Node>() : CreateNodes(module!, block.Main, prefix + spec.Name + ".", infos, prunable),
                block is null ? Array.Empty<Node>() : CreateNodes(module!, block.Shortcut, prefix + spec.Name + ".", infos, prunable));
        }

        return nodes;
    }

    private static Tensor Run(Node[] nodes, Tensor x, Action<int, Tensor>? observer)
    {
        foreach (var node in nodes)
        {
            x = Apply(node, x, observer);
        }

        return x;
    }

    private static Tensor Apply(Node node, Tensor x, Action<int, Tensor>? observer)
    {
        switch (node.Spec)
        {
            case LinearLayer or Conv2dLayer:
                var output = node.Module!.call(x);
                observer?.Invoke(node.PrunableIndex, output);
                return output;
            case BatchNormLayer or DropoutLayer:
                return node.Module!.call(x);
            case ReluLayer:
                return nn.functional.relu(x);
            case MaxPool2dLayer pool:
                return nn.functional.max_pool2d(x, pool.KernelSize, pool.Stride);
            case AvgPool2dLayer pool:
                return nn.functional.avg_pool2d(x, pool.KernelSize, pool.Stride);
            case GlobalAvgPoolLayer:
                return x.mean(new long[] { 2, 3 });
            case FlattenLayer:
                return x.flatten(1);
            case ReshapeLayer reshape:
                return x.reshape(x.shape[0], reshape.Shape.Channels, reshape.Shape.Height, reshape.Shape.Width);
            case ResidualBlock:
                var main = Run(node.Main, x, observer);
                var shortcut = node.Shortcut.Length == 0 ? x : Run(node.Shortcut, x, observer);
                return nn.functional.relu(main + shortcut);
            default:
                throw new InvalidOperationException($"Layer '{node.Spec.Name}' has a kind the network cannot run: {node.Spec.GetType().Name}.");
        }
    }

    /// <summary>One layer as run by forward: its description, its module (if any) and, for a residual block, its paths.</summary>
    private sealed record Node(LayerSpec Spec, nn.Module<Tensor, Tensor>? Module, int PrunableIndex, Node[] Main, Node[] Shortcut);

    /// <summary>The module of a residual block: only a named container, so its layers' keys are nested under its name.</summary>
    private sealed class BlockModule : nn.Module
    {
        public BlockModule()
            : base(nameof(ResidualBlock))
        {
        }
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// The TorchSharp module of a <see cref="NetworkDefinition"/>: flat float input <c>[N, InputFeatures]</c> to logits
/// <c>[N, ClassCount]</c>. Made by <see cref="NetworkBuilder.Build"/>.
/// </summary>
/// <remarks>
/// <para>
/// Parameter and buffer keys (<c>named_parameters()</c>, <c>state_dict()</c>) are the layer names joined by dots:
/// <c>fc1.weight</c>, <c>fc1.bias</c>, <c>conv1_bn.running_mean</c>, and inside residual blocks
/// <c>stage2_block0.conv1.weight</c>, <c>stage2_block0.shortcut_conv.weight</c>. Layers without parameters (ReLU,
/// pooling, flatten, reshape) have no module; Linear, Conv2d, BatchNorm and Dropout layers do, so
/// <c>train()</c>/<c>eval()</c> switch BatchNorm and Dropout.
/// </para>
/// <para>
/// Tensors made by <c>forward</c> belong to the caller: run it inside a dispose scope, as usual with TorchSharp.
/// </para>
/// </remarks>
public sealed class PrunableNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Node[] _nodes;
    private readonly PrunableLayer[] _prunable;

    internal PrunableNetwork(NetworkDefinition definition)
        : base(nameof(PrunableNetwork))
    {
        Definition = definition;
        var prunable = new List<PrunableLayer>();
        _nodes = CreateNodes(this, definition.Layers, prefix: "", definition.PrunableLayers, prunable);
        _prunable = prunable.ToArray();
        PrunableLayers = Array.AsReadOnly(_prunable);
    }

    /// <summary>The network's description.</summary>
    public NetworkDefinition Definition { get; }

    /// <summary>The Linear and Conv2d layers in forward order (matching <see cref="NetworkDefinition.PrunableLayers"/>).</summary>
    public IReadOnlyList<PrunableLayer> PrunableLayers { get; }

    /// <summary>The device the parameters are on.</summary>
    public Device Device => _prunable[0].Weight.device;

    /// <summary>
    /// Called during <c>forward</c> with each prunable layer's index and output, in forward order, once per layer per
    /// call: the Linear or Conv2d output before any BatchNorm or ReLU (<c>[N, out]</c> or <c>[N, out, H, W]</c>).
    /// Null (the default) costs nothing.
    /// </summary>
    /// <remarks>
    /// The tensor is the one the forward pass goes on with: do not dispose or change it. It may be part of the autograd
    /// graph; use <c>detach()</c> (or work under <c>torch.no_grad()</c>) and copy what you keep beyond the call.
    /// Tensors the observer makes belong to the caller's dispose scope.
    /// </remarks>
    public Action<int, Tensor>? PrunableOutputObserver { get; set; }

    /// <summary>Computes the logits <c>[N, ClassCount]</c> of flat input rows <c>[N, InputFeatures]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not a matrix with <see cref="NetworkDefinition.InputFeatures"/> columns
    /// of the parameters' element type (float32).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] != Definition.InputFeatures)
        {
            throw new ArgumentException(
                $"Network '{Definition.Name}' takes flat input [N, {Definition.InputFeatures}] but got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        var weightType = _prunable[0].Weight.dtype;
        if (input.dtype != weightType)
        {
            throw new ArgumentException($"Network '{Definition.Name}' takes {weightType} input but got {input.dtype}.", nameof(input));
        }

        return Run(_nodes, input, PrunableOutputObserver);
    }

    /// <summary>
    /// Detached copies of every parameter and buffer (the <c>state_dict()</c>), on the network's device. The copies
    /// belong to no dispose scope: the caller owns them and disposes them when done (e.g. a rewinding snapshot).
    /// </summary>
    public Dictionary<string, Tensor> SnapshotState()
    {
        var snapshot = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var noGrad = torch.no_grad();
        foreach (var (key, value) in state_dict())
        {
            using var detached = value.detach();
            var copy = detached.clone();
            copy.DetachFromDisposeScope();
            snapshot[key] = copy;
        }

        return snapshot;
    }

    /// <summary>
    /// Copies <paramref name="state"/> (e.g. from <see cref="SnapshotState"/>) into this network's parameters and
    /// buffers, in place, so optimizers and <see cref="PrunableLayers"/> keep referring to the same tensors. The keys,
    /// shapes and element types must match exactly; the source may be on another device. Nothing is copied when
    /// anything disagrees.
    /// </summary>
    /// <exception cref="ArgumentException">A key is missing or unexpected, or a shape or element type differs; the
    /// message lists them.</exception>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = state_dict();
        var problems = new List<string>();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing keys: {List(missing)}");
        }

        if (unexpected.Count > 0)
        {
            problems.Add($"unexpected keys: {List(unexpected)}");
        }

        foreach (var (key, target) in own)
        {
            if (state.TryGetValue(key, out var source))
            {
                if (source is null)
                {
                    problems.Add($"'{key}' is null");
                }
                else if (!source.shape.SequenceEqual(target.shape) || source.dtype != target.dtype)
                {
                    problems.Add($"'{key}' is {source.dtype} [{string.Join(", ", source.shape)}] but the network's is {target.dtype} [{string.Join(", ", target.shape)}]");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The state does not fit network '{Definition.Name}': {string.Join("; ", problems)}.", nameof(state));
        }

        using var noGrad = torch.no_grad();
        foreach (var (key, target) in own)
        {
            target.copy_(state[key]);
        }
    }

    /// <summary>Copies every parameter and buffer of <paramref name="other"/>, which must have the same layers, into this network.</summary>
    /// <exception cref="ArgumentException">The networks' parameters differ in names, shapes or types.</exception>
    public void CopyStateFrom(PrunableNetwork other)
    {
        ArgumentNullException.ThrowIfNull(other);
        LoadState(other.state_dict());
    }

    /// <summary>A new network with the same definition, device, training mode, parameters and buffers (not the observer).</summary>
    public PrunableNetwork Clone()
    {
        var copy = NetworkBuilder.Build(Definition, seed: 0, Device);
        copy.LoadState(state_dict());
        copy.train(training);
        return copy;
    }

    private static string List(IReadOnlyCollection<string> keys) =>
        string.Join(", ", keys.Take(8).Select(k => $"'{k}'")) + (keys.Count > 8 ? $" and {keys.Count - 8} more" : "");

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

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// A TorchSharp network the pruning engine can prune: flat float input <c>[N, InputFeatures]</c> to raw outputs
/// <c>[N, OutputWidth]</c>, with its prunable (Linear, Conv2d) layers listed in forward order. Made by
/// <see cref="INetworkSource.Build"/>: <see cref="LayerNetwork"/> for built-in architectures,
/// <see cref="Import.OnnxGraphNetwork"/> for ONNX models read from files.
/// </summary>
/// <remarks>
/// Tensors made by <c>forward</c> belong to the caller: run it inside a dispose scope, as usual with TorchSharp.
/// </remarks>
public abstract class PrunableNetwork : nn.Module<Tensor, Tensor>
{
    private PrunableLayer[] _prunable = Array.Empty<PrunableLayer>();

    /// <summary>Creates the module; subclasses register their modules and then call <see cref="SetPrunableLayers"/>.</summary>
    /// <param name="source">What the network was built from.</param>
    private protected PrunableNetwork(INetworkSource source)
        : base(nameof(PrunableNetwork))
    {
        Source = source;
    }

    /// <summary>What the network was built from (its name, sizes and prunable layers).</summary>
    public INetworkSource Source { get; }

    /// <summary>The Linear and Conv2d layers in forward order (matching <see cref="INetworkSource.PrunableLayers"/>).</summary>
    public IReadOnlyList<PrunableLayer> PrunableLayers => _prunable;

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

    /// <summary>Computes the raw outputs <c>[N, OutputWidth]</c> of flat input rows <c>[N, InputFeatures]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not a matrix with <see cref="INetworkSource.InputFeatures"/> columns
    /// of the parameters' element type (float32).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[1] != Source.InputFeatures)
        {
            throw new ArgumentException(
                $"Network '{Source.Name}' takes flat input [N, {Source.InputFeatures}] but got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        var weightType = _prunable[0].Weight.dtype;
        if (input.dtype != weightType)
        {
            throw new ArgumentException($"Network '{Source.Name}' takes {weightType} input but got {input.dtype}.", nameof(input));
        }

        return Run(input, PrunableOutputObserver);
    }

    /// <summary>A new network from the same source, on the same device, in the same training mode, with the same
    /// parameters and buffers (not the observer).</summary>
    public PrunableNetwork Clone()
    {
        var copy = Source.Build(seed: 0, Device);
        copy.LoadState(state_dict());
        copy.train(training);
        return copy;
    }

    /// <summary>Runs the network on checked input, calling <paramref name="observer"/> with each prunable layer's output.</summary>
    private protected abstract Tensor Run(Tensor input, Action<int, Tensor>? observer);

    /// <summary>Lists the prunable layers, once, after the subclass has registered its modules.</summary>
    /// <exception cref="InvalidOperationException">The layers do not match the source's list.</exception>
    private protected void SetPrunableLayers(IReadOnlyList<PrunableLayer> layers)
    {
        var expected = Source.PrunableLayers;
        if (layers.Count != expected.Count || layers.Where((l, i) => l.Index != i || l.Info != expected[i]).Any())
        {
            throw new InvalidOperationException($"Network '{Source.Name}': the built prunable layers do not match its description.");
        }

        _prunable = layers.ToArray();
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
            throw new ArgumentException($"The state does not fit network '{Source.Name}': {string.Join("; ", problems)}.", nameof(state));
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

    private static string List(IReadOnlyCollection<string> keys) =>
        string.Join(", ", keys.Take(8).Select(k => $"'{k}'")) + (keys.Count > 8 ? $" and {keys.Count - 8} more" : "");
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// A prunable (Linear or Conv2d) layer of a built <see cref="PrunableNetwork"/>: its description and live access to
/// its parameters.
/// </summary>
/// <remarks>
/// <see cref="Weight"/> and <see cref="Bias"/> are read from the module on every access, so they stay current when
/// the network is moved to another device or type. Change them in place (under <c>torch.no_grad()</c>), never by
/// assigning new tensors, so that optimizers keep referring to the same parameters.
/// </remarks>
public sealed class PrunableLayer
{
    private readonly Func<Parameter> _weight;
    private readonly Func<Parameter?> _bias;

    internal PrunableLayer(int index, PrunableLayerInfo info, nn.Module module)
        : this(index, info, () => WeightOf(module, info.Name), () => BiasOf(module))
    {
    }

    /// <summary>A layer whose parameters are read through <paramref name="weight"/> and <paramref name="bias"/> (called on
    /// every access, so they follow moves between devices).</summary>
    internal PrunableLayer(int index, PrunableLayerInfo info, Func<Parameter> weight, Func<Parameter?> bias)
    {
        Index = index;
        Info = info;
        _weight = weight;
        _bias = bias;
    }

    /// <summary>The position in forward order: the index of <see cref="PrunableNetwork.PrunableLayers"/> and of the
    /// observer's first argument.</summary>
    public int Index { get; }

    /// <summary>The layer's name (<see cref="PrunableLayerInfo.Name"/>): for a built-in network its module path, whose
    /// weight's state key is <c>{Name}.weight</c>; for an imported graph a name taken from the graph.</summary>
    public string Name => Info.Name;

    /// <summary>The layer's description: kind, weight shape, main path or shortcut.</summary>
    public PrunableLayerInfo Info { get; }

    /// <summary>The prunable weight, <c>[out, in]</c> or <c>[out, in/groups, kh, kw]</c>: output units or channels on axis 0.</summary>
    public Parameter Weight => _weight();

    /// <summary>The bias (never pruned), or null when the layer has none.</summary>
    public Parameter? Bias => _bias();

    /// <inheritdoc />
    public override string ToString() => $"#{Index} {Info}";

    private static Parameter WeightOf(nn.Module module, string name) => module switch
    {
        Linear linear => linear.weight!,
        Conv2d conv => conv.weight!,
        _ => throw new InvalidOperationException($"Layer '{name}' holds an unexpected module type {module.GetType().Name}."),
    };

    private static Parameter? BiasOf(nn.Module module) => module switch
    {
        Linear linear => linear.bias,
        Conv2d conv => conv.bias,
        _ => null,
    };
}

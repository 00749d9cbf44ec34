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
    private readonly nn.Module _module;

    internal PrunableLayer(int index, PrunableLayerInfo info, nn.Module module)
    {
        Index = index;
        Info = info;
        _module = module;
    }

    /// <summary>The position in forward order: the index of <see cref="PrunableNetwork.PrunableLayers"/> and of the
    /// observer's first argument.</summary>
    public int Index { get; }

    /// <summary>The module path (<see cref="PrunableLayerInfo.Name"/>); the weight's state key is <c>{Name}.weight</c>.</summary>
    public string Name => Info.Name;

    /// <summary>The layer's description: kind, weight shape, main path or shortcut.</summary>
    public PrunableLayerInfo Info { get; }

    /// <summary>The prunable weight, <c>[out, in]</c> or <c>[out, in, k, k]</c>.</summary>
    public Parameter Weight => _module switch
    {
        Linear linear => linear.weight!,
        Conv2d conv => conv.weight!,
        _ => throw new InvalidOperationException($"Layer '{Name}' holds an unexpected module type {_module.GetType().Name}."),
    };

    /// <summary>The bias (never pruned), or null when the layer has none.</summary>
    public Parameter? Bias => _module switch
    {
        Linear linear => linear.bias,
        Conv2d conv => conv.bias,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => $"#{Index} {Info}";
}

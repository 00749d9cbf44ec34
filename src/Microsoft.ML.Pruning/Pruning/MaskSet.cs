using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The masks of every prunable layer of a network. As a training step hook it zeroes the gradients of pruned weights
/// before each optimizer step and re-zeroes the weights after it, so momentum, weight decay and Adam never revive a
/// pruned weight: a pruned weight is exactly 0.0 whenever a user can look.
/// </summary>
public sealed class MaskSet : ITrainingStepHook, IDisposable
{
    private readonly PruningMask[] _masks;

    /// <summary>Creates all-kept masks for <paramref name="network"/>'s prunable layers.</summary>
    public MaskSet(PrunableNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        _masks = network.PrunableLayers
            .Select(l => new PruningMask(l, torch.zeros(l.Weight.shape, dtype: ScalarType.Bool, device: l.Weight.device)))
            .ToArray();
    }

    /// <summary>The network the masks belong to.</summary>
    public PrunableNetwork Network { get; }

    /// <summary>One mask per prunable layer, in forward order.</summary>
    public IReadOnlyList<PruningMask> Masks => _masks;

    /// <summary>The mask of the named layer.</summary>
    /// <exception cref="KeyNotFoundException">No prunable layer has that name.</exception>
    public PruningMask this[string layerName] => _masks.FirstOrDefault(m => m.Name == layerName)
        ?? throw new KeyNotFoundException($"Network '{Network.Source.Name}' has no prunable layer '{layerName}'. Prunable layers: {string.Join(", ", _masks.Select(m => m.Name))}.");

    /// <summary>Total prunable weights.</summary>
    public long Count => _masks.Sum(m => m.Count);

    /// <summary>Total pruned weights.</summary>
    public long PrunedCount => _masks.Sum(m => m.PrunedCount);

    /// <summary>Fraction of all prunable weights that are pruned.</summary>
    public double Sparsity => Count == 0 ? 0 : PrunedCount / (double)Count;

    /// <summary>Sparsity of each layer, by name, in forward order.</summary>
    public IReadOnlyDictionary<string, double> LayerSparsity()
    {
        var result = new Dictionary<string, double>();
        foreach (var mask in _masks)
        {
            result[mask.Name] = mask.Sparsity;
        }

        return result;
    }

    /// <summary>Sets every pruned weight to exactly 0.0.</summary>
    public void ApplyToWeights()
    {
        foreach (var mask in _masks)
        {
            mask.ApplyToWeight();
        }
    }

    /// <inheritdoc />
    public void BeforeStep(nn.Module model)
    {
        foreach (var mask in _masks)
        {
            mask.ApplyToGradient();
        }
    }

    /// <inheritdoc />
    public void AfterStep(nn.Module model) => ApplyToWeights();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var mask in _masks)
        {
            mask.Dispose();
        }
    }
}

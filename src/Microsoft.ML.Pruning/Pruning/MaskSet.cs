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
    private readonly Dictionary<string, Tensor> _coupled = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Parameters held at zero beside the masks, by state key, with the entries that are (true where zero): the biases
    /// and batch-norm scales and shifts of the channels channel pruning removed, so a removed channel outputs exactly 0.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Coupled => _coupled;

    /// <summary>Sets every pruned weight (and every zeroed entry of a <see cref="Coupled"/> parameter) to exactly 0.0.</summary>
    public void ApplyToWeights()
    {
        foreach (var mask in _masks)
        {
            mask.ApplyToWeight();
        }

        if (_coupled.Count > 0)
        {
            using var noGrad = torch.no_grad();
            foreach (var (parameter, zeroed) in CoupledParameters())
            {
                parameter.masked_fill_(zeroed, 0.0);
            }
        }
    }

    /// <inheritdoc />
    public void BeforeStep(nn.Module model)
    {
        foreach (var mask in _masks)
        {
            mask.ApplyToGradient();
        }

        if (_coupled.Count > 0)
        {
            using var noGrad = torch.no_grad();
            foreach (var (parameter, zeroed) in CoupledParameters())
            {
                parameter.grad?.masked_fill_(zeroed, 0.0);
            }
        }
    }

    /// <summary>Holds the entries <paramref name="zeroed"/> of parameter <paramref name="key"/> at zero from now on
    /// (replacing what was held for it); the mask set owns a copy of <paramref name="zeroed"/>.</summary>
    /// <exception cref="KeyNotFoundException">The network has no such parameter.</exception>
    internal void SetCoupled(string key, Tensor zeroed)
    {
        var parameter = Network.named_parameters().FirstOrDefault(p => p.name == key).parameter
            ?? throw new KeyNotFoundException($"Network '{Network.Source.Name}' has no parameter '{key}'.");
        var copy = zeroed.to(ScalarType.Bool).to(parameter.device).clone();
        copy.DetachFromDisposeScope();
        if (_coupled.Remove(key, out var old))
        {
            old.Dispose();
        }

        _coupled[key] = copy;
    }

    /// <summary>The live parameters of <see cref="Coupled"/>, looked up on every call so they follow device moves.</summary>
    private IEnumerable<(Tensor Parameter, Tensor Zeroed)> CoupledParameters()
    {
        var parameters = Network.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        return _coupled.Select(kv => ((Tensor)parameters[kv.Key], kv.Value));
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

        foreach (var zeroed in _coupled.Values)
        {
            zeroed.Dispose();
        }

        _coupled.Clear();
    }
}

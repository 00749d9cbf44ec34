using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Which weights of one prunable layer are removed. Held as a bool tensor (one byte per weight, not a float copy)
/// beside the weight, and stored as bits in checkpoints.
/// </summary>
public sealed class PruningMask : IDisposable
{
    private readonly Tensor _pruned;

    internal PruningMask(PrunableLayer layer, Tensor pruned)
    {
        Layer = layer;
        _pruned = pruned;
        _pruned.DetachFromDisposeScope();
    }

    /// <summary>The layer this mask belongs to.</summary>
    public PrunableLayer Layer { get; }

    /// <summary>The layer's name.</summary>
    public string Name => Layer.Name;

    /// <summary>True where a weight is pruned (same shape as the weight). Owned by the mask: do not dispose.</summary>
    public Tensor Pruned => _pruned;

    /// <summary>Number of weights in the layer.</summary>
    public long Count => _pruned.numel();

    /// <summary>Number of pruned weights.</summary>
    public long PrunedCount
    {
        get
        {
            using var scope = torch.NewDisposeScope();
            return _pruned.sum().item<long>();
        }
    }

    /// <summary>Number of weights still in the network.</summary>
    public long SurvivingCount => Count - PrunedCount;

    /// <summary>Fraction of the layer's weights that are pruned.</summary>
    public double Sparsity => Count == 0 ? 0 : PrunedCount / (double)Count;

    /// <summary>Sets the pruned weights to exactly 0.0.</summary>
    public void ApplyToWeight()
    {
        using var noGrad = torch.no_grad();
        Layer.Weight.masked_fill_(_pruned, 0.0);
    }

    /// <summary>Sets the gradient of pruned weights to 0, so no optimizer moves them.</summary>
    public void ApplyToGradient()
    {
        var grad = Layer.Weight.grad;
        if (grad is not null)
        {
            using var noGrad = torch.no_grad();
            grad.masked_fill_(_pruned, 0.0);
        }
    }

    /// <summary>The mask as bits, one per weight in row-major order (1 = pruned).</summary>
    public byte[] ToBits()
    {
        bool[] flags;
        using (torch.NewDisposeScope())
        {
            flags = _pruned.cpu().flatten().data<bool>().ToArray();
        }

        var bits = new byte[(flags.Length + 7) / 8];
        for (int i = 0; i < flags.Length; i++)
        {
            if (flags[i])
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return bits;
    }

    /// <summary>Replaces the mask with <paramref name="bits"/> as written by <see cref="ToBits"/>.</summary>
    /// <exception cref="InvalidDataException">The bit count does not match the layer.</exception>
    public void LoadBits(ReadOnlySpan<byte> bits)
    {
        long count = Count;
        if (bits.Length != (count + 7) / 8)
        {
            throw new InvalidDataException($"Mask of layer '{Name}' needs {(count + 7) / 8} bytes but {bits.Length} were given.");
        }

        var flags = new bool[count];
        for (long i = 0; i < count; i++)
        {
            flags[i] = (bits[(int)(i >> 3)] & (1 << (int)(i & 7))) != 0;
        }

        using var scope = torch.NewDisposeScope();
        var loaded = torch.tensor(flags, _pruned.shape, device: _pruned.device);
        _pruned.copy_(loaded);
    }

    /// <inheritdoc />
    public void Dispose() => _pruned.Dispose();
}

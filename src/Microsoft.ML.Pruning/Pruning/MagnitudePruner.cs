using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// One magnitude-pruning step: removes the surviving weights with the smallest <c>|W|</c>, layer by layer or with
/// one global threshold. Ties are broken by position (earlier layer, then lower row-major index, goes first), so a
/// step is deterministic. Each pool removes <c>round(rate * surviving)</c> weights, but never a layer's last one: the
/// largest surviving weight of every layer is kept, so no layer is ever cut off.
/// </summary>
public static class MagnitudePruner
{
    /// <summary>Prunes <paramref name="masks"/> in place and zeroes the newly pruned weights.</summary>
    /// <param name="masks">The masks to extend (and their network's weights to read).</param>
    /// <param name="rate">How much of the surviving weights to remove.</param>
    /// <param name="scope">Layerwise or global threshold.</param>
    /// <param name="overrides">Layers left out or pruned at a scaled rate (pruned on their own, even in global scope).</param>
    /// <returns>The rate used for each layer, by name (0 for excluded layers).</returns>
    /// <exception cref="ArgumentException">An override names a layer the network does not have.</exception>
    public static IReadOnlyDictionary<string, double> Prune(MaskSet masks, PruningRate rate, PruningScope scope, IReadOnlyList<LayerPruningOverride>? overrides = null)
        => PruneStep(masks, rate, scope, overrides).LayerRates;

    /// <summary>As <see cref="Prune"/>, telling how many weights went and which layers reached their last weight.</summary>
    internal static PruneStepResult PruneStep(MaskSet masks, PruningRate rate, PruningScope scope, IReadOnlyList<LayerPruningOverride>? overrides)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(rate);
        overrides ??= Array.Empty<LayerPruningOverride>();
        CheckOverrides(masks, overrides);

        var used = new Dictionary<string, double>();
        var pool = new List<PruningMask>();
        var before = masks.Masks.ToDictionary(m => m.Name, m => m.SurvivingCount);
        using var scope0 = torch.NewDisposeScope();
        foreach (var mask in masks.Masks)
        {
            var o = overrides.FirstOrDefault(x => x.LayerName == mask.Name);
            if (o is { Exclude: true })
            {
                used[mask.Name] = 0;
            }
            else if (scope == PruningScope.Layerwise || o is not null)
            {
                used[mask.Name] = PrunePool(new[] { mask }, rate, o?.RateFactor ?? 1.0);
            }
            else
            {
                pool.Add(mask);
            }
        }

        if (pool.Count > 0)
        {
            double r = PrunePool(pool, rate, 1.0);
            foreach (var mask in pool)
            {
                used[mask.Name] = r;
            }
        }

        masks.ApplyToWeights();
        long removed = 0;
        var exhausted = new List<string>();
        foreach (var mask in masks.Masks)
        {
            long after = mask.SurvivingCount;
            removed += before[mask.Name] - after;
            if (after == 1 && before[mask.Name] > 1)
            {
                exhausted.Add(mask.Name);
            }
        }

        return new PruneStepResult(removed, masks.Masks.ToDictionary(m => m.Name, m => used[m.Name]), exhausted);
    }

    /// <summary>Checks that every override names a prunable layer and has a rate factor in (0, 1].</summary>
    /// <exception cref="ArgumentException">An override names a layer the network does not have.</exception>
    internal static void CheckOverrides(MaskSet masks, IReadOnlyList<LayerPruningOverride> overrides)
    {
        foreach (var o in overrides)
        {
            if (!masks.Masks.Any(m => m.Name == o.LayerName))
            {
                throw new ArgumentException(
                    $"Pruning override names layer '{o.LayerName}', which is not a prunable layer of '{masks.Network.Source.Name}'. Prunable layers: {string.Join(", ", masks.Masks.Select(m => m.Name))}.",
                    nameof(overrides));
            }

            if (!o.Exclude && !(o.RateFactor > 0 && o.RateFactor <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(overrides), o.RateFactor, $"The rate factor of layer '{o.LayerName}' must be in (0, 1]; exclude the layer to leave it unpruned.");
            }
        }
    }

    /// <summary>Prunes the masks of <paramref name="pool"/> with one threshold; returns the rate applied.</summary>
    private static double PrunePool(IReadOnlyList<PruningMask> pool, PruningRate rate, double factor)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Scores: |W| where surviving, +inf where already pruned, so pruned entries sort last.
        var scores = torch.cat(pool.Select(m => m.Layer.Weight.detach().abs().masked_fill(m.Pruned, double.PositiveInfinity).flatten()).ToArray());
        var survivingMask = torch.cat(pool.Select(m => m.Pruned.logical_not().flatten()).ToArray());
        var surviving = scores.masked_select(survivingMask).cpu().data<float>().ToArray();
        double r = Math.Min(rate.RateFor(surviving) * factor, 1.0);
        long k = (long)Math.Round(r * surviving.Length, MidpointRounding.AwayFromZero);
        // Each layer's largest surviving weight is out of reach (+inf sorts last), so no layer loses its last weight.
        int kept = ProtectLargestWeights(pool, scores);
        k = Math.Min(k, surviving.Length - kept);
        if (k <= 0)
        {
            return r;
        }

        // A stable sort keeps equal magnitudes in position order: the tie-break rule.
        var order = scores.sort(stable: true).Indices.narrow(0, 0, k);
        var flat = torch.zeros(scores.shape[0], dtype: ScalarType.Bool, device: scores.device);
        flat.index_fill_(0, order, true);
        long offset = 0;
        foreach (var mask in pool)
        {
            long n = mask.Count;
            mask.Pruned.logical_or_(flat.narrow(0, offset, n).view(mask.Pruned.shape));
            offset += n;
        }

        return r;
    }

    /// <summary>
    /// Sets the score of each layer's last weight in pruning order — its largest surviving one, the highest index among
    /// equals, since ties go lower index first — to +inf; returns how many layers had a surviving weight.
    /// </summary>
    private static int ProtectLargestWeights(IReadOnlyList<PruningMask> pool, Tensor scores)
    {
        int kept = 0;
        long offset = 0;
        foreach (var mask in pool)
        {
            if (mask.SurvivingCount > 0)
            {
                // -1 below every magnitude where pruned. argmax takes the first of equal maxima, so on the reversed weights
                // it finds the last one.
                var magnitudes = mask.Layer.Weight.detach().abs().masked_fill(mask.Pruned, -1).flatten();
                long best = mask.Count - 1 - magnitudes.flip(0).argmax().item<long>();
                scores[offset + best].fill_(double.PositiveInfinity);
                kept++;
            }

            offset += mask.Count;
        }

        return kept;
    }
}

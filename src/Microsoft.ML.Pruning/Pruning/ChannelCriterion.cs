using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Channel pruning: removes whole output channels of Conv2d layers and whole neurons of Linear layers, scored by the
/// norm of their incoming weights, with everything coupled to them (<see cref="ChannelGroups"/>): the channel of every
/// layer a residual add ties to it, its batch-norm channel, and the input slice of every layer that reads it. Removed
/// channels are masked weights like any other (all of their incoming weights and the consumers' slices), and their
/// biases and batch-norm scales and shifts are held at zero (<see cref="MaskSet.Coupled"/>), so a removed channel
/// outputs exactly 0 and the export can drop it (<see cref="NetworkCompactor"/>).
/// </summary>
/// <remarks>
/// A channel's score is the norm of all incoming weights of the channel in its group, per weight (L1: mean
/// <c>|w|</c>; L2: root mean square), so channels of layers of different sizes compare in global scope. Each pool of
/// groups (one group in layerwise scope, all groups without an override in global scope) removes
/// <c>round(rate * surviving channels)</c> channels, the lowest scores first (ties: earlier group, then lower channel
/// index), but never a group's last channel. The network's output layer never loses a neuron (its outputs are the
/// classes); its input slices go with the channels of the layer before it. A layer that is left out by an override
/// keeps its own channels; a rate factor applies to the group of a layer it names (the smallest factor of the group's
/// layers). The groups of an imported ONNX graph come from the data flow of its nodes
/// (<see cref="ChannelGroups.Analyze"/>); a graph in which no group can be followed is refused before training.
/// </remarks>
internal sealed class ChannelCriterion : PruningCriterion
{
    public ChannelCriterion(ChannelNorm norm)
    {
        if (!Enum.IsDefined(norm))
        {
            throw new ArgumentOutOfRangeException(nameof(norm), norm, "Unknown channel norm.");
        }

        Norm = norm;
    }

    /// <summary>The norm that scores channels.</summary>
    public ChannelNorm Norm { get; }

    public override PruningGranularity Granularity => PruningGranularity.Channel;

    public override string Name => Norm == ChannelNorm.L1 ? "channel-l1" : "channel-l2";

    internal override void CheckNetwork(INetworkSource source)
    {
        if (!ChannelGroups.Analyze(source).Prunable.Any())
        {
            throw new ArgumentException(
                $"'{source.Name}' has no channel group that channel pruning can shrink ({WhyNone(source)}); prune it with weight granularity.", nameof(source));
        }
    }

    /// <summary>Why no group of <paramref name="source"/> is prunable: an imported graph's first reasons.</summary>
    private static string WhyNone(INetworkSource source)
    {
        if (source is not OnnxModelSource model)
        {
            return "every group is the network's input or output";
        }

        var reasons = model.Channels.Groups.Groups
            .Where(g => g.ProducerEntries.Count > 0 && model.Channels.Reasons.ContainsKey(g.Index))
            .Select(g => $"{g.Name}: {model.Channels.Reasons[g.Index]}")
            .ToList();
        return string.Join("; ", reasons.Take(2)) + (reasons.Count > 2 ? $"; and {reasons.Count - 2} more" : "");
    }

    internal override void Restore(MaskSet masks) => HoldCoupledAtZero(masks, ChannelGroups.Analyze(masks.Network.Source));

    public override PruneStepResult Prune(MaskSet masks, PruningRate rate, PruningScope scope, IReadOnlyList<LayerPruningOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(rate);
        overrides ??= Array.Empty<LayerPruningOverride>();
        MagnitudePruner.CheckOverrides(masks, overrides);
        var groups = ChannelGroups.Analyze(masks.Network.Source);

        using var disposeScope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var before = masks.Masks.ToDictionary(m => m.Name, m => m.SurvivingCount);
        var aliveBefore = groups.Prunable.ToDictionary(g => g.Index, g => Alive(masks, g).Count);
        var rates = masks.Masks.ToDictionary(m => m.Name, _ => 0.0);
        var pool = new List<ChannelGroup>();
        foreach (var group in groups.Prunable)
        {
            var own = overrides.Where(o => group.Producers.Contains(o.LayerName)).ToList();
            if (own.Any(o => o.Exclude))
            {
                continue;
            }

            if (scope == PruningScope.Layerwise || own.Count > 0)
            {
                double used = PrunePool(masks, new[] { group }, rate, own.Count > 0 ? own.Min(o => o.RateFactor) : 1.0);
                SetRates(rates, group, used);
            }
            else
            {
                pool.Add(group);
            }
        }

        if (pool.Count > 0)
        {
            double used = PrunePool(masks, pool, rate, 1.0);
            foreach (var group in pool)
            {
                SetRates(rates, group, used);
            }
        }

        HoldCoupledAtZero(masks, groups);
        masks.ApplyToWeights();
        long removed = masks.Masks.Sum(m => before[m.Name] - m.SurvivingCount);
        var exhausted = groups.Prunable
            .Where(g => aliveBefore[g.Index] > 1 && Alive(masks, g).Count == 1)
            .SelectMany(g => g.Producers)
            .ToList();
        return new PruneStepResult(removed, rates, exhausted);
    }

    /// <summary>The channels of <paramref name="group"/> still in the network: those whose first producer's row is not
    /// entirely pruned (a step removes a channel from every producer at once).</summary>
    internal static List<int> Alive(MaskSet masks, ChannelGroup group)
    {
        using var scope = torch.NewDisposeScope();
        var pruned = masks[group.Producers[0]].Pruned;
        var rowPruned = pruned.flatten(1).all(1).cpu().data<bool>().ToArray();
        return Enumerable.Range(0, rowPruned.Length).Where(c => !rowPruned[c]).ToList();
    }

    private static void SetRates(Dictionary<string, double> rates, ChannelGroup group, double rate)
    {
        foreach (string layer in group.Producers)
        {
            rates[layer] = rate;
        }
    }

    /// <summary>Removes the lowest-scoring channels of <paramref name="pool"/>; returns the rate applied.</summary>
    private double PrunePool(MaskSet masks, IReadOnlyList<ChannelGroup> pool, PruningRate rate, double factor)
    {
        var candidates = new List<(ChannelGroup Group, int Channel, float Score)>();
        var protectedChannels = new HashSet<(int, int)>();
        foreach (var group in pool)
        {
            var alive = Alive(masks, group);
            if (alive.Count == 0)
            {
                continue;
            }

            var scores = Scores(masks, group);
            // The group's last channel in removal order (its highest score, the last of equals) is out of reach.
            int best = alive.OrderBy(c => scores[c]).ThenBy(c => c).Last();
            protectedChannels.Add((group.Index, best));
            candidates.AddRange(alive.Select(c => (group, c, scores[c])));
        }

        var values = candidates.Select(c => c.Score).ToArray();
        double r = Math.Min(rate.RateFor(values) * factor, 1.0);
        long k = (long)Math.Round(r * values.Length, MidpointRounding.AwayFromZero);
        k = Math.Min(k, values.Length - protectedChannels.Count);
        if (k <= 0)
        {
            return r;
        }

        // OrderBy is stable: equal scores keep the candidates' order (group, then channel).
        var chosen = candidates
            .Where(c => !protectedChannels.Contains((c.Group.Index, c.Channel)))
            .OrderBy(c => c.Score)
            .Take((int)k)
            .GroupBy(c => c.Group);
        foreach (var removal in chosen)
        {
            RemoveChannels(masks, masks.Network.Source, removal.Key, removal.Select(c => c.Channel).ToArray());
        }

        return r;
    }

    /// <summary>Each channel's score: the norm of its incoming weights over every producer of the group, per weight.</summary>
    private float[] Scores(MaskSet masks, ChannelGroup group)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? total = null;
        long perChannel = 0;
        foreach (string layer in group.Producers)
        {
            var weight = masks[layer].Layer.Weight.detach().flatten(1);
            var part = Norm == ChannelNorm.L1 ? weight.abs().sum(1) : weight.square().sum(1);
            total = total is null ? part : total + part;
            perChannel += weight.shape[1];
        }

        var score = total! / perChannel;
        if (Norm == ChannelNorm.L2)
        {
            score = score.sqrt();
        }

        return score.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    /// <summary>Masks <paramref name="channels"/> of <paramref name="group"/> in every producer and consumer.</summary>
    internal static void RemoveChannels(MaskSet masks, INetworkSource source, ChannelGroup group, IReadOnlyList<int> channels)
    {
        if (channels.Count == 0)
        {
            return;
        }

        using var scope = torch.NewDisposeScope();
        foreach (string layer in group.Producers)
        {
            var pruned = masks[layer].Pruned;
            pruned.index_fill_(0, torch.tensor(channels.Select(c => (long)c).ToArray(), device: pruned.device), true);
        }

        foreach (var consumer in group.Consumers)
        {
            var pruned = masks[consumer.Layer].Pruned;
            var columns = channels.SelectMany(c => Enumerable.Range(c * consumer.Block, consumer.Block)).Select(i => (long)i).ToArray();
            pruned.index_fill_(1, torch.tensor(columns, device: pruned.device), true);
        }
    }

    /// <summary>Holds the biases and batch-norm scales and shifts of every removed channel at zero.</summary>
    internal static void HoldCoupledAtZero(MaskSet masks, ChannelGroups groups)
    {
        using var scope = torch.NewDisposeScope();
        var parameters = masks.Network.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in groups.Prunable)
        {
            var alive = Alive(masks, group);
            if (alive.Count == group.Channels)
            {
                continue;
            }

            var zeroed = torch.ones(group.Channels, dtype: ScalarType.Bool);
            zeroed.index_fill_(0, torch.tensor(alive.Select(c => (long)c).ToArray()), false);
            var keys = group.CoupledKeys.Where(parameters.Contains);
            foreach (string key in keys)
            {
                masks.SetCoupled(key, zeroed);
            }
        }
    }
}

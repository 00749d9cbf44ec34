namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// How a pruning step scores what it may remove and what a unit is: single weights by magnitude
/// (<see cref="Magnitude"/>), or, with <see cref="PruningGranularity.Channel"/>, channel groups by a norm. The rate
/// (<see cref="PruningRate"/>) says how many units go; the scope (<see cref="PruningScope"/>) whether they are ranked
/// per layer or together.
/// </summary>
/// <remarks>
/// No step ever removes a layer's last weight (or last channel): a layer that reaches that floor stops being pruned and
/// the step reports it as exhausted.
/// </remarks>
public abstract class PruningCriterion
{
    private protected PruningCriterion()
    {
    }

    /// <summary>Unstructured magnitude pruning: the surviving weights with the smallest <c>|W|</c> go.</summary>
    public static PruningCriterion Magnitude { get; } = new MagnitudeCriterion();

    /// <summary>Channel pruning: whole output channels of Conv2d layers and neurons of Linear layers, scored by
    /// <paramref name="norm"/>, with the batch-norm channels, residual partners and consumers' input slices coupled to
    /// them (see <see cref="ChannelGroups"/>).</summary>
    /// <param name="norm">How a channel is scored; L1 by default.</param>
    public static PruningCriterion Channels(ChannelNorm norm = ChannelNorm.L1) => new ChannelCriterion(norm);

    /// <summary>The criterion of <paramref name="granularity"/>: <see cref="Magnitude"/> for weights,
    /// <see cref="Channels"/> with <paramref name="norm"/> for channels.</summary>
    public static PruningCriterion For(PruningGranularity granularity, ChannelNorm norm = ChannelNorm.L1) => granularity switch
    {
        PruningGranularity.Weight => Magnitude,
        PruningGranularity.Channel => Channels(norm),
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown pruning granularity."),
    };

    /// <summary>What one decision removes.</summary>
    public abstract PruningGranularity Granularity { get; }

    /// <summary>A short name for reports and checkpoints, e.g. <c>magnitude</c> or <c>channel-l1</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Extends <paramref name="masks"/> by one pruning step and zeroes the newly pruned weights.</summary>
    /// <param name="masks">The masks to extend (and their network's weights to read).</param>
    /// <param name="rate">How much of what survives to remove.</param>
    /// <param name="scope">Layerwise or global ranking.</param>
    /// <param name="overrides">Layers left out or pruned at a scaled rate.</param>
    /// <exception cref="ArgumentException">An override names a layer the network does not have.</exception>
    public abstract PruneStepResult Prune(MaskSet masks, PruningRate rate, PruningScope scope, IReadOnlyList<LayerPruningOverride> overrides);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Refuses, before any training, a network the criterion cannot prune.</summary>
    /// <exception cref="NotSupportedException">The network is out of the criterion's reach (the message says why).</exception>
    /// <exception cref="ArgumentException">The network has nothing the criterion could remove (the message names it and
    /// says why).</exception>
    internal virtual void CheckNetwork(Networks.INetworkSource source)
    {
    }

    /// <summary>Re-establishes what the criterion keeps beside the masks after they were loaded from a checkpoint.</summary>
    internal virtual void Restore(MaskSet masks)
    {
    }

    private sealed class MagnitudeCriterion : PruningCriterion
    {
        public override PruningGranularity Granularity => PruningGranularity.Weight;

        public override string Name => "magnitude";

        public override PruneStepResult Prune(MaskSet masks, PruningRate rate, PruningScope scope, IReadOnlyList<LayerPruningOverride> overrides)
            => MagnitudePruner.PruneStep(masks, rate, scope, overrides);
    }
}

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Channels that are removed together: channel <c>c</c> of a group is output channel (or neuron) <c>c</c> of every
/// <see cref="Producers"/> layer, channel <c>c</c> of every batch norm in <see cref="Norms"/>, and input slice <c>c</c>
/// of every <see cref="Consumers"/> layer. A residual add ties the channels of both its branches into one group.
/// </summary>
/// <remarks>Made by <see cref="ChannelGroups.Analyze"/>. Groups that are the network's input or output, or whose
/// channels are reshaped into another layout, are never pruned (<see cref="Prunable"/> false); in an imported graph, also
/// groups that reach an operation the analysis does not follow (a Concat, a transpose, a grouped convolution).</remarks>
public sealed class ChannelGroup
{
    internal ChannelGroup(int index, int channels, IReadOnlyList<ChannelProducer> producers, IReadOnlyList<ChannelConsumer> consumers,
        IReadOnlyList<ChannelOperation> afterMerge, bool residual, bool prunable, IReadOnlyList<string>? coupledKeys = null)
    {
        Index = index;
        Channels = channels;
        ProducerEntries = producers;
        Consumers = consumers;
        AfterMerge = afterMerge;
        Residual = residual;
        Prunable = prunable;
        // A built-in's biases and batch-norm parameters are named after their layers; an imported graph names its own.
        CoupledKeys = coupledKeys ?? producers.Select(p => p.Layer + ".bias")
            .Concat(Norms.SelectMany(n => new[] { n + ".weight", n + ".bias" })).ToArray();
    }

    /// <summary>The group's position in <see cref="ChannelGroups.Groups"/>.</summary>
    public int Index { get; }

    /// <summary>How many channels the group has.</summary>
    public int Channels { get; }

    /// <summary>The layers whose output channels the group is (one, or several joined by residual adds).</summary>
    public IReadOnlyList<string> Producers => ProducerEntries.Select(p => p.Layer).ToArray();

    /// <summary>The layers that read the group's channels.</summary>
    public IReadOnlyList<ChannelConsumer> Consumers { get; }

    /// <summary>The batch norms that normalise the group's channels.</summary>
    public IReadOnlyList<string> Norms => ProducerEntries.SelectMany(p => p.Operations).Concat(AfterMerge)
        .Where(o => o.Norm is not null).Select(o => o.Norm!).ToArray();

    /// <summary>True when a residual add joins the group's channels (its producers' outputs are added together).</summary>
    public bool Residual { get; }

    /// <summary>False for groups that are never pruned: the network's input and output, channels reshaped into
    /// another layout.</summary>
    public bool Prunable { get; }

    /// <summary>The state keys of the per-channel parameters that go with the group's channels (the producers' biases,
    /// the batch norms' scales and shifts), held at zero for removed channels; keys the network lacks are skipped.</summary>
    internal IReadOnlyList<string> CoupledKeys { get; }

    /// <summary>A short name for messages: the producing layers.</summary>
    public string Name => ProducerEntries.Count == 0 ? "input" : string.Join("+", Producers);

    /// <summary>Each producer with what is applied to its output before the group's channels are read.</summary>
    internal IReadOnlyList<ChannelProducer> ProducerEntries { get; }

    /// <summary>What is applied after the producers' outputs are added (a residual block's batch norm after the add);
    /// the block's own ReLU after the add maps 0 to 0 and is not listed.</summary>
    internal IReadOnlyList<ChannelOperation> AfterMerge { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {Channels} channels -> {string.Join(", ", Consumers.Select(c => c.Block == 1 ? c.Layer : $"{c.Layer} (x{c.Block})"))}" +
        (Prunable ? "" : " (not pruned)");
}

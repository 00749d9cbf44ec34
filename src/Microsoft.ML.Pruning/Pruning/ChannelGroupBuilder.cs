namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// A channel group while an analysis builds it, for built-in layer lists (<see cref="ChannelGroups"/>) and imported
/// graphs alike: its producers with their per-channel operations, its consumers, and why it may not be pruned. A
/// residual add merges two groups; merged groups forward to one root (<see cref="Root"/>), like a union-find.
/// </summary>
internal sealed class ChannelGroupBuilder
{
    private ChannelGroupBuilder? _forward;

    /// <summary>How many channels the group has.</summary>
    public int Channels { get; init; }

    /// <summary>The producing layers, each with what is applied to its output before the group is read.</summary>
    public List<Producer> Producers { get; } = new();

    /// <summary>The layers that read the group's channels.</summary>
    public List<ChannelConsumer> Consumers { get; } = new();

    /// <summary>What is applied after the producers' outputs are added.</summary>
    public List<ChannelOperation> AfterMerge { get; } = new();

    /// <summary>The imported graph's tensors whose axis follows the group's channels (empty for built-ins).</summary>
    public HashSet<int> Tensors { get; } = new();

    /// <summary>True when a residual add joined two groups into this one.</summary>
    public bool Residual { get; private set; }

    /// <summary>Why the group is never pruned (the first reason found), or null while it may be.</summary>
    public string? Reason { get; private set; }

    /// <summary>Where a per-channel operation goes: after the group's one producer, or after the merge.</summary>
    public List<ChannelOperation> Tail => Producers.Count == 1 && !Residual ? Producers[0].Operations : AfterMerge;

    /// <summary>The group this one was merged into, or itself.</summary>
    public ChannelGroupBuilder Root
    {
        get
        {
            var b = this;
            while (b._forward is not null)
            {
                b = b._forward;
            }

            return b;
        }
    }

    /// <summary>Keeps the group whole, for <paramref name="reason"/> (the first reason given is kept).</summary>
    public void Fix(string reason) => Reason ??= reason;

    /// <summary>Joins <paramref name="b"/> into <paramref name="a"/> (both roots): their channels are added together.</summary>
    public static ChannelGroupBuilder Merge(ChannelGroupBuilder a, ChannelGroupBuilder b)
    {
        if (ReferenceEquals(a, b))
        {
            return a;
        }

        a.Producers.AddRange(b.Producers);
        a.Consumers.AddRange(b.Consumers);
        a.AfterMerge.AddRange(b.AfterMerge);
        a.Tensors.UnionWith(b.Tensors);
        a.Reason ??= b.Reason;
        a.Residual = true;
        b._forward = a;
        return a;
    }

    /// <summary>True when nothing keeps the group whole and some layer produces its channels.</summary>
    public bool Prunable => Reason is null && Producers.Count > 0;

    /// <summary>The finished group (this must be a root), producers and consumers in forward order.</summary>
    /// <param name="index">Its position among the groups.</param>
    /// <param name="order">Forward position of each prunable layer.</param>
    /// <param name="coupledKeys">Parameters of an imported graph held at zero with removed channels; null for built-ins.</param>
    public ChannelGroup ToGroup(int index, IReadOnlyDictionary<string, int> order, IReadOnlyList<string>? coupledKeys = null) =>
        new(index, Channels,
            Producers.OrderBy(p => order[p.Layer]).Select(p => new ChannelProducer(p.Layer, p.Operations.ToArray())).ToArray(),
            Consumers.OrderBy(c => order[c.Layer]).ToArray(), AfterMerge.ToArray(), Residual, Prunable, coupledKeys);

    /// <summary>A producing layer and the per-channel operations on its output, in order.</summary>
    internal sealed record Producer(string Layer)
    {
        public List<ChannelOperation> Operations { get; } = new();
    }
}

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A layer whose output channels are a channel group, with the per-channel operations applied to them before
/// the group's consumers (or a residual add) read them.</summary>
/// <param name="Layer">The producing layer's name.</param>
/// <param name="Operations">Batch norms and ReLUs, in order.</param>
internal sealed record ChannelProducer(string Layer, IReadOnlyList<ChannelOperation> Operations);

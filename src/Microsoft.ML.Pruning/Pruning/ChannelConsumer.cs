namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A prunable layer that reads a channel group: channel <c>c</c> of the group is its input slice
/// <c>[c * Block, (c + 1) * Block)</c> on axis 1 of its weight (an input channel of a Conv2d, input features of a
/// Linear; a flatten makes a channel a block of <c>H * W</c> features).</summary>
/// <param name="Layer">The consuming layer's name.</param>
/// <param name="Block">How many of its inputs one channel is.</param>
public sealed record ChannelConsumer(string Layer, int Block);

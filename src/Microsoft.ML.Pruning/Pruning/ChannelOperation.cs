namespace Microsoft.ML.Pruning.Pruning;

/// <summary>A per-channel operation between a producer and the group's consumers: a batch norm (named) or a ReLU
/// (null name). Pooling, flattening and dropout keep a constant channel constant and are not listed.</summary>
/// <param name="Norm">The batch norm's name, or null for a ReLU.</param>
internal sealed record ChannelOperation(string? Norm)
{
    /// <summary>A ReLU.</summary>
    public static ChannelOperation Relu { get; } = new((string?)null);
}

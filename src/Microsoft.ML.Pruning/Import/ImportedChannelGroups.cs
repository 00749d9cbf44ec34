using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Import;

/// <summary>The channel groups of an imported graph (<see cref="ChannelGraphAnalyzer"/>), with what export needs to
/// write the graph smaller: which registered tensors hold one value per channel of which group, and why the groups
/// that are never pruned are not.</summary>
/// <param name="Groups">The groups, as for a built-in: producers and consumers are prunable layers by name, norms are
/// BatchNormalization nodes by name.</param>
/// <param name="ChannelTensors">Registered tensor index → the group whose channels its axis 0 is: the producers'
/// biases and the batch norms' scales, shifts and running statistics.</param>
/// <param name="Reasons">Group index → why the group is not pruned (the first reason found).</param>
internal sealed record ImportedChannelGroups(
    ChannelGroups Groups,
    IReadOnlyDictionary<int, int> ChannelTensors,
    IReadOnlyDictionary<int, string> Reasons);

namespace Microsoft.ML.Pruning.Tests.Data;

/// <summary>Tests that measure wall time run alone, so other tests competing for the CPU do not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}

namespace Microsoft.ML.Pruning.Tests.Infrastructure;

/// <summary>Tests that measure the process's resident memory run alone: the figure is process-wide, so memory another
/// test allocates or frees at the same time moves it (a 4 MiB session once measured 84 KiB beside a training run).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "Process memory";
}

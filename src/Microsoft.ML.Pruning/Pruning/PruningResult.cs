using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The outcome of an iterative-pruning run: the report, and the sparse network with its masks.</summary>
public sealed class PruningResult : IDisposable
{
    internal PruningResult(PruningReport report, PrunableNetwork network, MaskSet masks)
    {
        Report = report;
        Network = network;
        Masks = masks;
    }

    /// <summary>Everything the run measured.</summary>
    public PruningReport Report { get; }

    /// <summary>The final (pruned, retrained) network, in evaluation mode.</summary>
    public PrunableNetwork Network { get; }

    /// <summary>The final masks.</summary>
    public MaskSet Masks { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Masks.Dispose();
        Network.Dispose();
    }
}

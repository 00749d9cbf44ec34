namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The kinds of <see cref="RewindPoint"/>.</summary>
public enum RewindKind
{
    /// <summary>No rewinding: keep training from the current weights.</summary>
    None,

    /// <summary>The initial weights.</summary>
    Init,

    /// <summary>The weights after some dense epochs.</summary>
    Epoch,

    /// <summary>The weights after dense pre-training.</summary>
    Dense,
}

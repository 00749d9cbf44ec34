namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Where surviving weights go back to after each pruning step. Optimizer state is reset every round whatever the
/// choice.
/// </summary>
public sealed record RewindPoint
{
    private RewindPoint(RewindKind kind, int epoch)
    {
        Kind = kind;
        Epoch = epoch;
    }

    /// <summary>What kind of snapshot this is.</summary>
    public RewindKind Kind { get; }

    /// <summary>For <see cref="RewindKind.Epoch"/>: dense epochs before the snapshot.</summary>
    public int Epoch { get; }

    /// <summary>Keep the current weights (classic fine-tuning IMP).</summary>
    public static RewindPoint None { get; } = new(RewindKind.None, 0);

    /// <summary>Back to the initial weights (the lottery ticket).</summary>
    public static RewindPoint Init { get; } = new(RewindKind.Init, 0);

    /// <summary>Back to the weights after the dense pre-training (what the ICP reference code does).</summary>
    public static RewindPoint Dense { get; } = new(RewindKind.Dense, 0);

    /// <summary>Back to the weights after <paramref name="epochs"/> dense epochs (late rewinding).</summary>
    public static RewindPoint AfterEpochs(int epochs)
    {
        if (epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "The rewind epoch must be 0 or more.");
        }

        return epochs == 0 ? Init : new RewindPoint(RewindKind.Epoch, epochs);
    }

    /// <summary>Parses <c>none</c>, <c>init</c>, <c>dense</c> or <c>epoch:K</c>.</summary>
    public static RewindPoint Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => None,
        "init" => Init,
        "dense" => Dense,
        var t when t.StartsWith("epoch:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(6), out int k) && k >= 0 => AfterEpochs(k),
        _ => throw new ArgumentException($"Rewind point '{text}' is not one of none, init, dense, epoch:<k>."),
    };

    /// <inheritdoc />
    public override string ToString() => Kind == RewindKind.Epoch ? $"epoch:{Epoch}" : Kind.ToString().ToLowerInvariant();
}

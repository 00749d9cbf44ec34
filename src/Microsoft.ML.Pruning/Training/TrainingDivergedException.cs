namespace Microsoft.ML.Pruning.Training;

/// <summary>
/// Training produced a non-finite loss or non-finite weights: the run stops at once, keeps the last completed round's
/// checkpoint and exports nothing. The message names the phase, round and epoch and what to try.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message naming where training diverged.</summary>
    /// <param name="phase">"dense", "round" or "fine-tune".</param>
    /// <param name="round">The pruning round (0 during dense training).</param>
    /// <param name="epoch">The 1-based epoch within the phase in which the divergence was seen.</param>
    /// <param name="loss">The loss that was seen (NaN or infinite), or NaN when the weights were the problem.</param>
    /// <param name="detail">What was non-finite, e.g. "the training loss" or "weights of layer 'fc1'".</param>
    public TrainingDivergedException(string phase, int round, int epoch, double loss, string detail)
        : base(Describe(phase, round, epoch, detail))
    {
        Phase = phase;
        Round = round;
        Epoch = epoch;
        Loss = loss;
    }

    /// <summary>"dense", "round" or "fine-tune".</summary>
    public string Phase { get; }

    /// <summary>The pruning round (0 during dense training).</summary>
    public int Round { get; }

    /// <summary>The 1-based epoch within the phase.</summary>
    public int Epoch { get; }

    /// <summary>The non-finite loss, or NaN when the weights were the problem.</summary>
    public double Loss { get; }

    private static string Describe(string phase, int round, int epoch, string detail)
    {
        string where = phase == "round" ? $"pruning round {round}, epoch {epoch}" : $"{phase} training, epoch {epoch}";
        return $"Training diverged in {where}: {detail} is not finite (NaN or infinite). " +
            "Try a lower learning rate (--lr), another optimizer, or standardised features; nothing was exported.";
    }
}

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// The defaults <c>PruneIterative</c> uses for tables of fewer than <see cref="Rows"/> rows, where the usual ones count
/// too little training and decide on too few rows. An epoch of 300 rows is 5 batches of 60: ten epochs of dense
/// training are 50 optimizer steps, and a decision every quarter epoch comes after one or two steps, on a 10% hold-out
/// of about 30 rows whose accuracy moves in steps of 3 points. So, for options left at their defaults:
/// <list type="bullet">
/// <item>the validation hold-out is <see cref="ValidationFraction"/> of the rows instead of 10%;</item>
/// <item>dense training lasts at least <see cref="PretrainSteps"/> optimizer steps, each round at most
/// <see cref="RoundSteps"/>, and the default ICP decides only after <see cref="StepsBeforeDecision"/> steps of a round
/// (each rounded up to whole epochs; never fewer epochs than the usual defaults), deciding every
/// <see cref="StepsBetweenDecisions"/> steps rather than every quarter epoch.</item>
/// </list>
/// Measured on breast cancer, diabetes and a 300-row three-class table: see <c>docs/benchmarks.md</c> ("Tabular tasks").
/// </summary>
internal static class SmallTableDefaults
{
    /// <summary>Below this many rows (training data handed to <c>Fit</c>, before the hold-out) these defaults apply.</summary>
    public const int Rows = 1000;

    /// <summary>The validation hold-out of a small table.</summary>
    public const double ValidationFraction = 0.2;

    /// <summary>The least dense training, in optimizer steps.</summary>
    public const int PretrainSteps = 600;

    /// <summary>The most retraining of a round, in optimizer steps.</summary>
    public const int RoundSteps = 300;

    /// <summary>The retraining of a round before the default ICP may stop it, in optimizer steps.</summary>
    public const int StepsBeforeDecision = 100;

    /// <summary>Optimizer steps between the default ICP's decisions (a flow measurement and a validation pass each).</summary>
    public const int StepsBetweenDecisions = 25;

    /// <summary>True when <paramref name="rows"/> makes a small table.</summary>
    public static bool Applies(int rows) => rows < Rows;

    /// <summary>Whole epochs holding at least <paramref name="steps"/> optimizer steps, and at least <paramref name="floor"/>.</summary>
    public static int Epochs(int steps, int trainRows, int batchSize, int floor)
    {
        int batchesPerEpoch = Math.Max(1, (trainRows + batchSize - 1) / batchSize);
        return Math.Max(floor, (steps + batchesPerEpoch - 1) / batchesPerEpoch);
    }

    /// <summary>Epochs (a fraction allowed) holding <paramref name="steps"/> optimizer steps, and at least <paramref name="floor"/>.</summary>
    public static double EpochFraction(int steps, int trainRows, int batchSize, double floor)
    {
        int batchesPerEpoch = Math.Max(1, (trainRows + batchSize - 1) / batchSize);
        return Math.Max(floor, steps / (double)batchesPerEpoch);
    }
}

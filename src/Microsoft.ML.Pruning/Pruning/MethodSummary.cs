namespace Microsoft.ML.Pruning.Pruning;

/// <summary>One method's figures over the seeds of a comparison (mean, and standard deviation where useful).</summary>
public sealed record MethodSummary
{
    /// <summary>The method's name.</summary>
    public string Method { get; init; } = "";

    /// <summary>Runs (one per seed).</summary>
    public int Runs { get; init; }

    /// <summary>Mean final sparsity.</summary>
    public double Sparsity { get; init; }

    /// <summary>Mean final test accuracy.</summary>
    public double TestAccuracy { get; init; }

    /// <summary>Sample standard deviation of the final test accuracy (0 for one run).</summary>
    public double TestAccuracySd { get; init; }

    /// <summary>Mean dense test accuracy.</summary>
    public double DenseTestAccuracy { get; init; }

    /// <summary>Mean retraining epochs (all rounds and any final fine-tune; dense pre-training excluded).</summary>
    public double RetrainingEpochs { get; init; }

    /// <summary>Mean training epochs in all (pre-training included).</summary>
    public double TotalEpochs { get; init; }

    /// <summary>Mean wall seconds of a run.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Mean seconds spent measuring flows.</summary>
    public double FlowSeconds { get; init; }

    /// <summary>Flow time as a fraction of wall time.</summary>
    public double FlowOverhead => WallSeconds > 0 ? FlowSeconds / WallSeconds : 0;
}

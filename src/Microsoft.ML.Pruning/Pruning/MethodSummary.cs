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

    /// <summary>Mean final test metric (accuracy for classification, R² for regression).</summary>
    public double TestMetric { get; init; }

    /// <summary>Sample standard deviation of the final test metric (0 for one run).</summary>
    public double TestMetricSd { get; init; }

    /// <summary>Mean dense test metric.</summary>
    public double DenseTestMetric { get; init; }

    /// <summary>Mean retraining epochs (all rounds and any final fine-tune; dense pre-training excluded).</summary>
    public double RetrainingEpochs { get; init; }

    /// <summary>Mean rows trained on in retraining (all rounds and any final fine-tune; dense pre-training excluded): the
    /// cost measure when rounds stop inside epochs.</summary>
    public double RetrainingSamples { get; init; }

    /// <summary>Mean training epochs in all (pre-training included).</summary>
    public double TotalEpochs { get; init; }

    /// <summary>Mean wall seconds of a run.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Mean seconds spent measuring flows.</summary>
    public double FlowSeconds { get; init; }

    /// <summary>Flow time as a fraction of wall time.</summary>
    public double FlowOverhead => WallSeconds > 0 ? FlowSeconds / WallSeconds : 0;
}

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The dense (unpruned) reference network's figures.</summary>
public sealed record DenseResult
{
    /// <summary>The task's validation metric after dense training (higher is better; accuracy for classification, R² for regression).</summary>
    public double ValMetric { get; init; }

    /// <summary>The task's test metric after dense training.</summary>
    public double TestMetric { get; init; }

    /// <summary>Validation accuracy (classification; null for regression).</summary>
    public double? ValAccuracy { get; init; }

    /// <summary>Test accuracy (classification; null for regression).</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Validation loss after dense training.</summary>
    public double ValLoss { get; init; }

    /// <summary>Validation loss of the network as built, before any training (for an imported model: as imported). The
    /// scale against which an exploding training loss is recognised.</summary>
    public double InitialValLoss { get; init; }

    /// <summary>Epochs of dense training (0 for an imported model used as it is).</summary>
    public int Epochs { get; init; }

    /// <summary>Rows trained on during dense training.</summary>
    public long Samples { get; init; }

    /// <summary>Mean training loss of each dense epoch, in order.</summary>
    public IReadOnlyList<double> Losses { get; init; } = Array.Empty<double>();

    /// <summary>Wall time of dense training, evaluation included (of the run that trained it, when shared).</summary>
    public double WallSeconds { get; init; }

    /// <summary>True when this run started from a warm-up another run trained (<see cref="WarmUpCache"/>); the run's
    /// total wall time then counts <see cref="WallSeconds"/> as the other run measured it.</summary>
    public bool SharedWarmUp { get; init; }
}

using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The knobs the named methods (<see cref="PruningMethods"/>) share: retraining budget, fixed rate, ICP threshold,
/// PQ-index orders and how often adaptive policies decide.
/// </summary>
public sealed record MethodSettings
{
    /// <summary>How often adaptive policies (imp-ar, icp-*) decide by default, in epochs: four times an epoch. Finer
    /// decisions let a round stop as soon as it has recovered; the flow probe stays a small share of the time (see
    /// docs/benchmarks.md, "Check interval").</summary>
    public const double DefaultCheckEvery = 0.25;

    private readonly double _epochsPerRound = 5;
    private readonly double _rate = 0.2;

    /// <summary>Retraining per round, in epochs: the schedule of fixed methods (rounded up), the limit of adaptive ones. Default 5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive number.</exception>
    public double EpochsPerRound
    {
        get => _epochsPerRound;
        init => _epochsPerRound = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(EpochsPerRound), "The epochs per round must be a positive number.");
    }

    /// <summary>Fraction of the surviving weights fixed-rate methods remove per round, in (0, 1). Default 0.2.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside (0, 1).</exception>
    public double Rate
    {
        get => _rate;
        init => _rate = value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Rate), "The rate must be in (0, 1): the fraction of surviving weights removed per round.");
    }

    /// <summary>ICP's threshold; null for the default of each flow.</summary>
    public double? Epsilon { get; init; }

    /// <summary>The PQ index's lower norm order p. Default 1 (the paper also uses 0.5).</summary>
    public double P { get; init; } = 1;

    /// <summary>The PQ index's higher norm order q. Default 2 (the paper also uses 1, with p = 0.5).</summary>
    public double Q { get; init; } = 2;

    /// <summary>Epochs between decisions of adaptive policies; null for <see cref="DefaultCheckEvery"/>.</summary>
    public double? CheckEvery { get; init; }

    /// <summary>Training rows in ICP's probe set; null for the policy's default.</summary>
    public int? ProbeSize { get; init; }

    /// <summary>ICP stops on a consistent flow whatever the validation metric, as the reference code does, instead of
    /// only within <see cref="IcpStoppingPolicy.DefaultFlowStopTolerance"/> of the dense metric. Default false.</summary>
    public bool StopOnFlowAlone { get; init; }

    /// <summary>The gradient flow's statistic when <see cref="GradientStatistic"/> is not set.</summary>
    public const GradientFlowStatistic DefaultGradientStatistic = GradientFlowStatistic.MeanOverSurvivingWeights;

    /// <summary>How ICP's gradient flow summarises a layer's gradients. Default <see cref="DefaultGradientStatistic"/>.</summary>
    public GradientFlowStatistic GradientStatistic { get; init; } = DefaultGradientStatistic;

    /// <summary>The schedule of fixed methods: <see cref="EpochsPerRound"/> rounded up to whole epochs.</summary>
    public int FixedEpochs => (int)Math.Ceiling(EpochsPerRound - 1e-9);

    /// <summary>The check interval adaptive policies use.</summary>
    public double AdaptiveCheckEvery => CheckEvery ?? DefaultCheckEvery;

    /// <summary>The PQ-index rate with these orders and the reference defaults for the rest.</summary>
    public PqIndexPruningRate PqIndexRate => PruningRate.PqIndex(P, Q);

    /// <summary>An ICP policy on <paramref name="flow"/> with these settings (a new instance: one per run).</summary>
    public IcpStoppingPolicy Icp(FlowKind flow)
        => new(flow, Epsilon, null, EpochsPerRound) {
            CheckEvery = AdaptiveCheckEvery,
            ProbeSize = ProbeSize ?? IcpStoppingPolicy.DefaultProbeSize,
            FlowStopTolerance = StopOnFlowAlone ? null : IcpStoppingPolicy.DefaultFlowStopTolerance,
            GradientStatistic = GradientStatistic,
        };
}

using System.Globalization;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Information Consistent Pruning (arXiv 2501.15592): stop a round's retraining as soon as the pruned network's flow
/// is consistent with the dense network's — its distance from the dense flow below epsilon — instead of retraining to
/// full accuracy. Also stops when the validation metric reaches the dense one (unless <see cref="StopAtDenseAccuracy"/>
/// is off) and at <see cref="MaxEpochs"/>. The report says which rule fired.
/// </summary>
/// <remarks>
/// The dense flows <c>F*</c> are measured once, after dense pre-training, on a probe set of <see cref="ProbeSize"/>
/// training rows chosen by the run's seed. An instance holds that state: use one instance per run.
/// </remarks>
public sealed class IcpStoppingPolicy : IStoppingPolicy, IDisposable
{
    /// <summary>The default threshold of the information-flow distance: the reference code's 0.11, which with the per-layer
    /// relative distance of mean absolute correlations falls where the flow decides both ways on every network studied
    /// (see docs/algorithms.md and docs/benchmarks.md, "ICP study").</summary>
    public const double DefaultInformationEpsilon = 0.11;

    /// <summary>The default threshold of the gradient-flow distance (over surviving weights), chosen by measurement
    /// (docs/benchmarks.md, "ICP study"): on LeNet5 it stops 7 of 30 rounds on the flow at 0.71x the retraining of
    /// accuracy recovery and 0.1 point below it (three seeds); on one seed every value on 0.2-0.5 decided and cost
    /// 0.5-1.0 point; on LeNet-300-100 no value up to 0.5 called the flow consistent.</summary>
    public const double DefaultGradientEpsilon = 0.3;

    /// <summary>The default number of training rows in the probe set: 500 gave the same decisions as 1000 in the flow
    /// traces (information distances within 0.01) at about two thirds of the probe time, which keeps the probe under 5 %
    /// of the wall time when deciding every quarter epoch.</summary>
    public const int DefaultProbeSize = 500;

    private readonly double _checkEvery = 1;
    private readonly double? _flowStopTolerance = DefaultFlowStopTolerance;
    private readonly double _minEpochs;
    private readonly int _probeSize = DefaultProbeSize;
    private FlowProbe? _probe;
    private FlowMeasurement? _dense;

    /// <summary>Creates the policy.</summary>
    /// <param name="flow">Information, gradient, or both (stop when both are consistent).</param>
    /// <param name="epsilon">Distance below which flows count as consistent; null for the default of each kind. With
    /// both kinds a given epsilon applies to both.</param>
    /// <param name="minEpochs">Retrain at least this many epochs per round (fractions allowed); null for one check interval.</param>
    /// <param name="maxEpochs">Retrain at most this many epochs per round. Default 20.</param>
    /// <exception cref="ArgumentOutOfRangeException">epsilon &lt;= 0, minEpochs &lt;= 0 or above maxEpochs, or no flow kind.</exception>
    public IcpStoppingPolicy(FlowKind flow = FlowKind.Information, double? epsilon = null, double? minEpochs = null, double maxEpochs = 20)
    {
        if ((flow & (FlowKind.Information | FlowKind.Gradient)) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(flow), "Choose FlowKind.Information, FlowKind.Gradient or both.");
        }

        if (epsilon is { } e && !(e > 0 && double.IsFinite(e)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), "Epsilon must be a positive number.");
        }

        StoppingChecks.RequirePositive(maxEpochs, nameof(maxEpochs));
        if (minEpochs is { } min)
        {
            StoppingChecks.RequirePositive(min, nameof(minEpochs));
            if (min > maxEpochs)
            {
                throw new ArgumentOutOfRangeException(nameof(maxEpochs), $"MaxEpochs ({maxEpochs}) must not be below MinEpochs ({min}).");
            }
        }

        Flow = flow;
        InformationEpsilon = epsilon ?? DefaultInformationEpsilon;
        GradientEpsilon = epsilon ?? DefaultGradientEpsilon;
        _minEpochs = minEpochs ?? 0;
        MaxEpochs = maxEpochs;
    }

    /// <summary>Which flows are compared.</summary>
    public FlowKind Flow { get; }

    /// <summary>Threshold of the information-flow distance.</summary>
    public double InformationEpsilon { get; init; }

    /// <summary>Threshold of the gradient-flow distance.</summary>
    public double GradientEpsilon { get; init; }

    /// <summary>How the flow vectors become one distance. Default <see cref="FlowDistanceMeasure.LayerRelative"/>; the
    /// reference code's is <see cref="FlowDistanceMeasure.Euclidean"/>.</summary>
    public FlowDistanceMeasure Measure { get; init; } = FlowDistanceMeasure.LayerRelative;

    /// <summary>How a pair of layers' correlation matrix becomes its information flow. Default
    /// <see cref="InformationFlowStatistic.MeanAbsolute"/>; the reference code's is <see cref="InformationFlowStatistic.Mean"/>.</summary>
    public InformationFlowStatistic InformationStatistic { get; init; } = InformationFlowStatistic.MeanAbsolute;

    /// <summary>How a layer's gradients become its gradient flow. Default
    /// <see cref="GradientFlowStatistic.MeanOverSurvivingWeights"/>; the reference code's is
    /// <see cref="GradientFlowStatistic.MeanOverAllWeights"/>.</summary>
    /// <remarks>Measured (docs/benchmarks.md, "ICP study"): over all weights the flow falls with sparsity by
    /// construction and grows away from the dense one while retraining, so on LeNet5 it never looked consistent at
    /// ε 0.3; over the surviving weights it is far from the dense flow right after pruning and comes back to it as the
    /// network retrains.</remarks>
    public GradientFlowStatistic GradientStatistic { get; init; } = GradientFlowStatistic.MeanOverSurvivingWeights;

    /// <summary>The least retraining per round, in epochs: no flow decision comes earlier. Default: one check interval.</summary>
    public double MinEpochs => _minEpochs > 0 ? _minEpochs : CheckEvery;

    /// <inheritdoc />
    public double MaxEpochs { get; }

    /// <summary>Epochs between decisions (fractions allowed: 0.25 decides four times an epoch). Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a positive number.</exception>
    public double CheckEvery
    {
        get => _checkEvery;
        init => _checkEvery = StoppingChecks.RequirePositive(value, nameof(CheckEvery));
    }

    /// <summary>Training rows in the probe set. Default <see cref="DefaultProbeSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public int ProbeSize
    {
        get => _probeSize;
        init => _probeSize = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(ProbeSize), "The probe size must be positive.");
    }

    /// <summary>Also stop when the validation metric reaches the dense one. Default true.</summary>
    public bool StopAtDenseAccuracy { get; init; } = true;

    /// <summary>The default <see cref="FlowStopTolerance"/>: one point of accuracy (0.01 of R² for regression).</summary>
    public const double DefaultFlowStopTolerance = 0.01;

    /// <summary>
    /// A round stops on a consistent flow only when its validation metric is within this much of the dense network's
    /// (default <see cref="DefaultFlowStopTolerance"/>); null stops on the flow alone, as the reference code does.
    /// </summary>
    /// <remarks>Measured (docs/benchmarks.md, "ICP study"): with plain SGD the information flow of LeNet-300-100 stays
    /// consistent right after every pruning step while validation accuracy is 15 points down, so flow alone ended every
    /// round at its first check and the network was never retrained.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public double? FlowStopTolerance
    {
        get => _flowStopTolerance;
        init => _flowStopTolerance = value is not { } v || (double.IsFinite(v) && v >= 0) ? value
            : throw new ArgumentOutOfRangeException(nameof(FlowStopTolerance), $"The flow-stop tolerance must be a non-negative number (got {v}).");
    }

    /// <summary>The dense network's flows, once <see cref="Initialize"/> ran.</summary>
    public FlowMeasurement? DenseFlows => _dense;

    /// <summary>The threshold the reported distance is compared with: the information epsilon when information flow is
    /// measured (its distance is the one reported), else the gradient epsilon.</summary>
    public double ReportedEpsilon => Flow.HasFlag(FlowKind.Information) ? InformationEpsilon : GradientEpsilon;

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"icp({Kinds()}, {MeasureName()} eps={EpsilonText()}, epochs {MinEpochs}..{MaxEpochs}{(CheckEvery != 1 ? $", every {CheckEvery}" : "")}, probe {ProbeSize}{(StopAtDenseAccuracy ? ", accuracy cap" : "")}{(FlowStopTolerance is { } t ? $", flow stops within {t} of the dense metric" : "")})");

    /// <inheritdoc />
    public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (MinEpochs > MaxEpochs)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckEvery), $"The first decision (MinEpochs {MinEpochs}) comes after MaxEpochs ({MaxEpochs}).");
        }

        _probe?.Dispose();
        _probe = new FlowProbe(reference.Train, ProbeSize, reference.Seed, reference.Task);
        cancellationToken.ThrowIfCancellationRequested();
        _dense = _probe.Measure(reference.Network, Flow);
    }

    /// <inheritdoc />
    public void BeginRound(int round)
    {
    }

    /// <inheritdoc />
    public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_probe is null || _dense is null)
        {
            throw new InvalidOperationException("The ICP policy was not initialised with the dense network (Initialize).");
        }

        // Epochs are measured in rows and a check interval is rounded to whole batches, so the first check may fall a
        // batch short of MinEpochs: half a check interval of tolerance keeps it a decision point.
        if (context.Epochs < MinEpochs - CheckEvery / 2)
        {
            return StoppingDecision.Continue;
        }

        if (StopAtDenseAccuracy && context.MetricRecovered)
        {
            return StoppingDecision.StopBecause(StopReasons.AccuracyRecovered);
        }

        // A flow can look consistent before the network has recovered at all (plain SGD barely moves it in a check
        // interval): stop on the flow only when the metric is near the dense one. Further away the flow cannot change
        // the decision, so the probe is not run at all: on LeNet5 that was most of the probe's cost.
        bool metricClose = FlowStopTolerance is not { } tolerance || context.ValMetric >= context.DenseValMetric - tolerance;
        if (!metricClose)
        {
            return context.Epochs >= MaxEpochs ? StoppingDecision.StopBecause(StopReasons.MaxEpochs) : StoppingDecision.Continue;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = _probe.Measure(context.Network, Flow, context.PrunedMasks);
        double? distance = null;
        bool consistent = true;
        if (Flow.HasFlag(FlowKind.Information))
        {
            double d = FlowMeasurement.Distance(InformationOf(now), InformationOf(_dense), Measure);
            distance = d;
            consistent &= d < InformationEpsilon;
        }

        if (Flow.HasFlag(FlowKind.Gradient))
        {
            double d = FlowMeasurement.Distance(now.GradientBy(GradientStatistic)!, _dense.GradientBy(GradientStatistic)!, Measure);
            distance ??= d;
            consistent &= d < GradientEpsilon;
        }

        if (consistent)
        {
            return new StoppingDecision(true, StopReasons.FlowConsistent, distance, now.Seconds);
        }

        return context.Epochs >= MaxEpochs
            ? new StoppingDecision(true, StopReasons.MaxEpochs, distance, now.Seconds)
            : new StoppingDecision(false, "", distance, now.Seconds);
    }

    /// <summary>Frees the probe set's tensors; a later <see cref="Initialize"/> makes a new one.</summary>
    public void Dispose()
    {
        _probe?.Dispose();
        _probe = null;
    }

    private string Kinds() => Flow switch
    {
        FlowKind.Information => "information",
        FlowKind.Gradient => "gradient",
        _ => "information+gradient",
    };

    private IReadOnlyList<double> InformationOf(FlowMeasurement flows) =>
        (InformationStatistic == InformationFlowStatistic.MeanAbsolute ? flows.InformationAbsolute : flows.Information)!;

    private string MeasureName() => Measure switch
    {
        FlowDistanceMeasure.LayerRelative => "layer-relative",
        FlowDistanceMeasure.Relative => "relative",
        _ => "euclidean",
    } + (Flow.HasFlag(FlowKind.Information) && InformationStatistic == InformationFlowStatistic.Mean ? " mean-correlation" : "")
      + (Flow.HasFlag(FlowKind.Gradient) && GradientStatistic == GradientFlowStatistic.MeanOverSurvivingWeights ? " surviving-weights" : "");

    private string EpsilonText() => Flow switch
    {
        FlowKind.Information => InformationEpsilon.ToString(CultureInfo.InvariantCulture),
        FlowKind.Gradient => GradientEpsilon.ToString(CultureInfo.InvariantCulture),
        _ => $"{InformationEpsilon.ToString(CultureInfo.InvariantCulture)}/{GradientEpsilon.ToString(CultureInfo.InvariantCulture)}",
    };
}

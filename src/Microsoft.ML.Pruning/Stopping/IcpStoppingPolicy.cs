using System.Globalization;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Information Consistent Pruning (arXiv 2501.15592): stop a round's retraining as soon as the pruned network's flow
/// is consistent with the dense network's, <c>||F - F*||_2 &lt; epsilon</c>, instead of retraining to full accuracy.
/// Also stops when validation accuracy reaches the dense accuracy (unless <see cref="StopAtDenseAccuracy"/> is off)
/// and at <see cref="MaxEpochs"/>. The report says which rule fired.
/// </summary>
/// <remarks>
/// The dense flows <c>F*</c> are measured once, after dense pre-training, on a probe set of <see cref="ProbeSize"/>
/// training rows chosen by the run's seed. An instance holds that state: use one instance per run.
/// </remarks>
public sealed class IcpStoppingPolicy : IStoppingPolicy, IDisposable
{
    /// <summary>The reference code's epsilon for information flow.</summary>
    public const double DefaultInformationEpsilon = 0.11;

    /// <summary>The reference code's epsilon for gradient flow.</summary>
    public const double DefaultGradientEpsilon = 0.5;

    private FlowProbe? _probe;
    private FlowMeasurement? _dense;

    /// <summary>Creates the policy.</summary>
    /// <param name="flow">Information, gradient, or both (stop when both are consistent).</param>
    /// <param name="epsilon">Distance below which flows count as consistent; null for the reference default of each kind
    /// (0.11 information, 0.5 gradient). With both kinds a given epsilon applies to both.</param>
    /// <param name="minEpochs">Retrain at least this many epochs per round. Default 1.</param>
    /// <param name="maxEpochs">Retrain at most this many epochs per round. Default 20.</param>
    /// <exception cref="ArgumentOutOfRangeException">epsilon &lt;= 0, minEpochs &lt; 1 or minEpochs &gt; maxEpochs, or no flow kind.</exception>
    public IcpStoppingPolicy(FlowKind flow = FlowKind.Information, double? epsilon = null, int minEpochs = 1, int maxEpochs = 20)
    {
        if ((flow & (FlowKind.Information | FlowKind.Gradient)) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(flow), flow, "Choose FlowKind.Information, FlowKind.Gradient or both.");
        }

        if (epsilon is { } e && !(e > 0 && double.IsFinite(e)))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a positive number.");
        }

        if (minEpochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minEpochs), minEpochs, "MinEpochs must be at least 1.");
        }

        if (maxEpochs < minEpochs)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, $"MaxEpochs ({maxEpochs}) must not be below MinEpochs ({minEpochs}).");
        }

        Flow = flow;
        InformationEpsilon = epsilon ?? DefaultInformationEpsilon;
        GradientEpsilon = epsilon ?? DefaultGradientEpsilon;
        MinEpochs = minEpochs;
        MaxEpochs = maxEpochs;
    }

    /// <summary>Which flows are compared.</summary>
    public FlowKind Flow { get; }

    /// <summary>Threshold of the information-flow distance.</summary>
    public double InformationEpsilon { get; init; }

    /// <summary>Threshold of the gradient-flow distance.</summary>
    public double GradientEpsilon { get; init; }

    /// <summary>The smallest number of retraining epochs per round.</summary>
    public int MinEpochs { get; }

    /// <inheritdoc />
    public int MaxEpochs { get; }

    /// <summary>Measure flows every this many epochs (and never before <see cref="MinEpochs"/>). Default 1.</summary>
    public int CheckEvery { get; init; } = 1;

    /// <summary>Training rows in the probe set. Default 1000.</summary>
    public int ProbeSize { get; init; } = 1000;

    /// <summary>Also stop when validation accuracy reaches the dense accuracy. Default true.</summary>
    public bool StopAtDenseAccuracy { get; init; } = true;

    /// <summary>The dense network's flows, once <see cref="Initialize"/> ran.</summary>
    public FlowMeasurement? DenseFlows => _dense;

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"icp({Kinds()}, eps={EpsilonText()}, epochs {MinEpochs}..{MaxEpochs}{(CheckEvery > 1 ? $", every {CheckEvery}" : "")}, probe {ProbeSize}{(StopAtDenseAccuracy ? ", accuracy cap" : "")})");

    /// <inheritdoc />
    public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (CheckEvery < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckEvery), CheckEvery, "CheckEvery must be at least 1.");
        }

        _probe?.Dispose();
        _probe = new FlowProbe(reference.Train, ProbeSize, reference.Seed);
        cancellationToken.ThrowIfCancellationRequested();
        _dense = _probe.Measure(reference.Network, Flow);
    }

    /// <inheritdoc />
    public void BeginRound(int round)
    {
    }

    /// <inheritdoc />
    public StoppingDecision AfterEpoch(StoppingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_probe is null || _dense is null)
        {
            throw new InvalidOperationException("The ICP policy was not initialised with the dense network (Initialize).");
        }

        if (context.Epoch < MinEpochs)
        {
            return StoppingDecision.Continue;
        }

        if (StopAtDenseAccuracy && context.ValAccuracy >= context.DenseValAccuracy)
        {
            return StoppingDecision.StopBecause(StopReasons.AccuracyRecovered);
        }

        double? distance = null;
        double seconds = 0;
        bool consistent = false;
        if ((context.Epoch - MinEpochs) % CheckEvery == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _probe.Measure(context.Network, Flow, context.PrunedMasks);
            seconds = now.Seconds;
            consistent = true;
            if (Flow.HasFlag(FlowKind.Information))
            {
                double d = FlowMeasurement.Distance(now.Information!, _dense.Information!);
                distance = d;
                consistent &= d < InformationEpsilon;
            }

            if (Flow.HasFlag(FlowKind.Gradient))
            {
                double d = FlowMeasurement.Distance(now.Gradient!, _dense.Gradient!);
                distance ??= d;
                consistent &= d < GradientEpsilon;
            }
        }

        if (consistent)
        {
            return new StoppingDecision(true, StopReasons.FlowConsistent, distance, seconds);
        }

        return context.Epoch >= MaxEpochs
            ? new StoppingDecision(true, StopReasons.MaxEpochs, distance, seconds)
            : new StoppingDecision(false, "", distance, seconds);
    }

    private string Kinds() => Flow switch
    {
        FlowKind.Information => "information",
        FlowKind.Gradient => "gradient",
        _ => "information+gradient",
    };

    private string EpsilonText() => Flow switch
    {
        FlowKind.Information => InformationEpsilon.ToString(CultureInfo.InvariantCulture),
        FlowKind.Gradient => GradientEpsilon.ToString(CultureInfo.InvariantCulture),
        _ => $"{InformationEpsilon.ToString(CultureInfo.InvariantCulture)}/{GradientEpsilon.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>Frees the probe set's tensors; a later <see cref="Initialize"/> makes a new one.</summary>
    public void Dispose()
    {
        _probe?.Dispose();
        _probe = null;
    }
}

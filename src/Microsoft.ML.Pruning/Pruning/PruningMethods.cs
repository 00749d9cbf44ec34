using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The named methods of the command line and the benchmarks, as option presets on top of a base configuration.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>lth</term><description>lottery ticket: fixed rate, rewind to initial weights, fixed epochs per round.</description></item>
/// <item><term>imp</term><description>classic IMP: fixed rate, keep the weights (fine-tune), fixed epochs per round.</description></item>
/// <item><term>imp-ar</term><description>IMP with accuracy recovery: rewind to the dense weights, retrain until the validation metric is back at the dense one (at most the epoch budget).</description></item>
/// <item><term>sap</term><description>SAP(p,q): the PQ-index rate over all layers at once, rewind to the dense weights, fixed epochs per round.</description></item>
/// <item><term>icp-if</term><description>ICP on information flow: fixed rate, rewind to the dense weights, retrain until the flow is consistent with the dense network's (or the metric is back, or the epoch limit).</description></item>
/// <item><term>icp-gf</term><description>ICP on gradient flow, otherwise as icp-if.</description></item>
/// <item><term>icp-if-sap</term><description>InCoP-IF(p,q) of the paper: the PQ-index rate over all layers with information-flow stopping.</description></item>
/// <item><term>icp-gf-sap</term><description>InCoP-GF(p,q) of the paper: the PQ-index rate over all layers with gradient-flow stopping.</description></item>
/// </list>
/// </remarks>
public static class PruningMethods
{
    /// <summary>The method names this build knows.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "lth", "imp", "imp-ar", "sap", "icp-if", "icp-gf", "icp-if-sap", "icp-gf-sap" };

    /// <summary>
    /// Applies method <paramref name="method"/> to <paramref name="baseOptions"/>; <paramref name="epochsPerRound"/> is
    /// the fixed schedule, or the limit for adaptive policies; <paramref name="epsilon"/> overrides ICP's default threshold.
    /// Each call makes a new stopping policy: use the result for one run.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown method (the message lists the known ones).</exception>
    public static IterativePrunerOptions Apply(string method, IterativePrunerOptions baseOptions, int epochsPerRound, double rate, double? epsilon = null)
        => Apply(method, baseOptions, new MethodSettings { EpochsPerRound = epochsPerRound, Rate = rate, Epsilon = epsilon });

    /// <summary>
    /// Applies method <paramref name="method"/> with <paramref name="settings"/> (epochs per round, rate, epsilon, PQ-index
    /// orders, check interval) to <paramref name="baseOptions"/>. Each call makes a new stopping policy: use the result for
    /// one run.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown method (the message lists the known ones), or a setting out of range.</exception>
    public static IterativePrunerOptions Apply(string method, IterativePrunerOptions baseOptions, MethodSettings settings)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        ArgumentNullException.ThrowIfNull(settings);
        string m = (method ?? "").Trim().ToLowerInvariant();
        var fixedRate = PruningRate.Fixed(settings.Rate);
        // The paper's SAP and InCoP methods rank every layer's weights together by the PQ-index rate, as its code does.
        var options = m switch
        {
            "lth" => baseOptions with { Rate = fixedRate, Rewind = RewindPoint.Init, Stopping = StoppingPolicy.FixedEpochs(settings.FixedEpochs) },
            "imp" => baseOptions with { Rate = fixedRate, Rewind = RewindPoint.None, Stopping = StoppingPolicy.FixedEpochs(settings.FixedEpochs) },
            "imp-ar" => baseOptions with { Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = new AccuracyRecoveryPolicy(settings.EpochsPerRound) { CheckEvery = settings.AdaptiveCheckEvery } },
            "sap" => baseOptions with { Rate = settings.PqIndexRate, Scope = PruningScope.Global, Rewind = RewindPoint.Dense, Stopping = StoppingPolicy.FixedEpochs(settings.FixedEpochs) },
            "icp-if" => baseOptions with { Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = settings.Icp(FlowKind.Information) },
            "icp-gf" => baseOptions with { Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = settings.Icp(FlowKind.Gradient) },
            "icp-if-sap" => baseOptions with { Rate = settings.PqIndexRate, Scope = PruningScope.Global, Rewind = RewindPoint.Dense, Stopping = settings.Icp(FlowKind.Information) },
            "icp-gf-sap" => baseOptions with { Rate = settings.PqIndexRate, Scope = PruningScope.Global, Rewind = RewindPoint.Dense, Stopping = settings.Icp(FlowKind.Gradient) },
            _ => throw new ArgumentException($"Unknown pruning method '{method}'. Known methods: {string.Join(", ", Names)}."),
        };
        return options with { Method = m };
    }
}

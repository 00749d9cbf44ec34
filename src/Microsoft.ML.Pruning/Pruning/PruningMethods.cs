using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The named methods of the command line and the benchmarks, as option presets on top of a base configuration.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>lth</term><description>lottery ticket: fixed rate, rewind to initial weights, fixed epochs per round.</description></item>
/// <item><term>imp</term><description>classic IMP: fixed rate, keep the weights (fine-tune), fixed epochs per round.</description></item>
/// <item><term>imp-ar</term><description>IMP with accuracy recovery: rewind to the dense weights, retrain until validation accuracy is back at the dense one (at most the epoch budget).</description></item>
/// <item><term>sap</term><description>PQ-index adaptive rate, rewind to the dense weights, fixed epochs per round.</description></item>
/// <item><term>icp-if</term><description>ICP on information flow: fixed rate, rewind to the dense weights, retrain until the flow is consistent with the dense network's (or accuracy is back, or the epoch limit).</description></item>
/// <item><term>icp-gf</term><description>ICP on gradient flow, otherwise as icp-if.</description></item>
/// <item><term>icp-if-sap</term><description>ICP on information flow with the PQ-index rate (the reference code's combination).</description></item>
/// </list>
/// </remarks>
public static class PruningMethods
{
    /// <summary>The method names this build knows.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "lth", "imp", "imp-ar", "sap", "icp-if", "icp-gf", "icp-if-sap" };

    /// <summary>
    /// Applies method <paramref name="method"/> to <paramref name="baseOptions"/>; <paramref name="epochsPerRound"/> is
    /// the fixed schedule, or the limit for adaptive policies; <paramref name="epsilon"/> overrides ICP's default threshold.
    /// Each call makes a new stopping policy: use the result for one run.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown method (the message lists the known ones).</exception>
    public static IterativePrunerOptions Apply(string method, IterativePrunerOptions baseOptions, int epochsPerRound, double rate, double? epsilon = null)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        string m = (method ?? "").Trim().ToLowerInvariant();
        var fixedRate = PruningRate.Fixed(rate);
        return m switch
        {
            "lth" => baseOptions with { Method = m, Rate = fixedRate, Rewind = RewindPoint.Init, Stopping = StoppingPolicy.FixedEpochs(epochsPerRound) },
            "imp" => baseOptions with { Method = m, Rate = fixedRate, Rewind = RewindPoint.None, Stopping = StoppingPolicy.FixedEpochs(epochsPerRound) },
            "imp-ar" => baseOptions with { Method = m, Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = StoppingPolicy.AccuracyRecovery(epochsPerRound) },
            "sap" => baseOptions with { Method = m, Rate = PruningRate.PqIndex(), Rewind = RewindPoint.Dense, Stopping = StoppingPolicy.FixedEpochs(epochsPerRound) },
            "icp-if" => baseOptions with { Method = m, Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = new IcpStoppingPolicy(FlowKind.Information, epsilon, 1, epochsPerRound) },
            "icp-gf" => baseOptions with { Method = m, Rate = fixedRate, Rewind = RewindPoint.Dense, Stopping = new IcpStoppingPolicy(FlowKind.Gradient, epsilon, 1, epochsPerRound) },
            "icp-if-sap" => baseOptions with { Method = m, Rate = PruningRate.PqIndex(), Rewind = RewindPoint.Dense, Stopping = new IcpStoppingPolicy(FlowKind.Information, epsilon, 1, epochsPerRound) },
            _ => throw new ArgumentException($"Unknown pruning method '{method}'. Known methods: {string.Join(", ", Names)}."),
        };
    }
}

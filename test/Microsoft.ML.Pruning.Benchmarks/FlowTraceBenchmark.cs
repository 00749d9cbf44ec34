using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// How the flow distances behave while a round retrains: every round retrains a fixed budget, and at every check point
/// both flows are measured against the dense network with both distance measures. The traces show whether a distance
/// follows retraining (falls as the network recovers) or only follows sparsity, and which thresholds would decide both ways.
/// </summary>
internal static class FlowTraceBenchmark
{
    public static string Run(string spec, string arch, int rounds, int pretrainEpochs, double epochsPerRound, double checkEvery, double lr, string? jsonPath, int probeSize = IcpStoppingPolicy.DefaultProbeSize)
    {
        var c = CultureInfo.InvariantCulture;
        var data = DataSource.Load(spec, new DataLoadOptions { Split = SplitFractions.Default });
        var definition = NetworkArchitecture.Parse(arch).Define(data.Train);
        var policy = new TracingPolicy(epochsPerRound, checkEvery, probeSize);
        var options = new IterativePrunerOptions
        {
            Method = "trace",
            Rounds = rounds,
            Rate = PruningRate.Fixed(0.2),
            Rewind = RewindPoint.Dense,
            PretrainEpochs = pretrainEpochs,
            Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(lr), BatchSize = 60 },
            Stopping = policy,
            Seed = 1,
        };
        using var result = new IterativePruner(options).Run(definition, data);
        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(policy.Trace, new JsonSerializerOptions { WriteIndented = true }));
        }

        var md = new StringBuilder();
        md.AppendLine(c, $"`{arch}` on `{BenchmarkData.Display(spec)}`: {rounds} rounds of 20%, dense rewinding, Adam {lr}, batch 60, {pretrainEpochs} dense epochs (validation accuracy {result.Report.Dense!.ValMetric:P2}); each round retrains {epochsPerRound} epochs with a check every {checkEvery}; flows on a probe of {probeSize} training rows; the probe took {policy.Trace.Sum(p => p.Seconds):F1} s of the run's {result.Report.TotalWallSeconds:F1} s.");
        md.AppendLine();
        md.AppendLine(c, $"IF and GF: the defaults (information flow by mean absolute correlation; both flows by the per-layer relative distance), first check → smallest → last. IF paper: the reference code's statistic and distance (mean correlation, Euclidean). GF surviving: the gradient flow over surviving weights only (`GradientFlowStatistic.MeanOverSurvivingWeights`). Share: how many of the round's checks a threshold at the default epsilon would call consistent (IF {IcpStoppingPolicy.DefaultInformationEpsilon}, GF {IcpStoppingPolicy.DefaultGradientEpsilon} for both gradient statistics).");
        md.AppendLine();
        md.AppendLine("| round | sparsity | val acc first → last check | IF first → min → last | IF consistent | GF first → min → last | GF consistent | GF surviving first → min → last | GF surviving consistent | IF paper first → last |");
        md.AppendLine("|---:|---:|---|---|---:|---|---:|---|---:|---|");
        foreach (var round in policy.Trace.Where(t => t.Round > 0).GroupBy(t => t.Round))
        {
            var t = round.ToList();
            string Span(Func<TracePoint, double> f, bool min = true) => min
                ? string.Create(c, $"{f(t[0]):F4} → {t.Min(f):F4} → {f(t[^1]):F4}")
                : string.Create(c, $"{f(t[0]):G3} → {f(t[^1]):G3}");
            double sparsity = result.Report.Rounds[round.Key - 1].Sparsity;
            var dense = policy.Trace[0];
            double If(TracePoint p) => FlowMeasurement.Distance(p.InformationAbsolute, dense.InformationAbsolute, FlowDistanceMeasure.LayerRelative);
            double Gf(TracePoint p) => FlowMeasurement.Distance(p.Gradient, dense.Gradient, FlowDistanceMeasure.LayerRelative);
            double Gs(TracePoint p) => FlowMeasurement.Distance(p.GradientSurviving, dense.GradientSurviving, FlowDistanceMeasure.LayerRelative);
            string Share(Func<TracePoint, double> f, double epsilon) => string.Create(c, $"{t.Count(p => f(p) < epsilon)}/{t.Count}");
            md.AppendLine(c, $"| {round.Key} | {sparsity:P1} | {t[0].ValAccuracy:P2} → {t[^1].ValAccuracy:P2} | {Span(If)} | {Share(If, IcpStoppingPolicy.DefaultInformationEpsilon)} | {Span(Gf)} | {Share(Gf, IcpStoppingPolicy.DefaultGradientEpsilon)} | {Span(Gs)} | {Share(Gs, IcpStoppingPolicy.DefaultGradientEpsilon)} | {Span(p => p.InformationEuclidean, false)} |");
        }

        return md.ToString();
    }

    /// <summary>One check point of the trace.</summary>
    public sealed record TracePoint(int Round, double Epochs, double ValAccuracy, double InformationRelative, double InformationEuclidean,
        double GradientRelative, double GradientEuclidean, double Seconds)
    {
        /// <summary>The information flow vector at this point (the dense one is in round 0).</summary>
        public IReadOnlyList<double> Information { get; init; } = Array.Empty<double>();

        /// <summary>The information flow vector by mean absolute correlation.</summary>
        public IReadOnlyList<double> InformationAbsolute { get; init; } = Array.Empty<double>();

        /// <summary>The gradient flow vector at this point.</summary>
        public IReadOnlyList<double> Gradient { get; init; } = Array.Empty<double>();

        /// <summary>The gradient flow vector over surviving weights only at this point.</summary>
        public IReadOnlyList<double> GradientSurviving { get; init; } = Array.Empty<double>();

        /// <summary>The validation loss at this point.</summary>
        public double ValLoss { get; init; }
    }

    /// <summary>Never stops early: measures both flows with both measures at every check, up to a fixed budget.</summary>
    private sealed class TracingPolicy(double epochs, double checkEvery, int probeSize) : IStoppingPolicy, IDisposable
    {
        private FlowProbe? _probe;
        private FlowMeasurement? _dense;

        public List<TracePoint> Trace { get; } = new();

        public string Name => "trace";

        public double MaxEpochs => epochs;

        public double CheckEvery => checkEvery;

        public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
        {
            _probe?.Dispose();
            _probe = new FlowProbe(reference.Train, probeSize, reference.Seed, reference.Task);
            _dense = _probe.Measure(reference.Network, FlowKind.Information | FlowKind.Gradient);
            Trace.Add(new TracePoint(0, 0, reference.ValMetric, 0, 0, 0, 0, _dense.Seconds) { Information = _dense.Information!, InformationAbsolute = _dense.InformationAbsolute!, Gradient = _dense.Gradient!, GradientSurviving = _dense.GradientSurviving! });
        }

        public void BeginRound(int round)
        {
        }

        public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default)
        {
            var now = _probe!.Measure(context.Network, FlowKind.Information | FlowKind.Gradient, context.PrunedMasks);
            var point = new TracePoint(context.Round, context.Epochs, context.ValMetric,
                FlowMeasurement.Distance(now.Information!, _dense!.Information!, FlowDistanceMeasure.Relative),
                FlowMeasurement.Distance(now.Information!, _dense.Information!, FlowDistanceMeasure.Euclidean),
                FlowMeasurement.Distance(now.Gradient!, _dense.Gradient!, FlowDistanceMeasure.Relative),
                FlowMeasurement.Distance(now.Gradient!, _dense.Gradient!, FlowDistanceMeasure.Euclidean),
                now.Seconds) { Information = now.Information!, InformationAbsolute = now.InformationAbsolute!, Gradient = now.Gradient!, GradientSurviving = now.GradientSurviving! };
            Trace.Add(point);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {point.Round} at {point.Epochs:F2}: val {point.ValAccuracy:P2} IF {point.InformationRelative:F4} ({point.InformationEuclidean:G3}) GF {point.GradientRelative:F4} ({point.GradientEuclidean:G3}) {point.Seconds:F2}s"));
            return new StoppingDecision(context.Epochs >= epochs, StopReasons.MaxEpochs, point.InformationRelative, now.Seconds);
        }

        public void Dispose() => _probe?.Dispose();
    }
}

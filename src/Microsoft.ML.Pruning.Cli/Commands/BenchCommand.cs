using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune bench</c>: several methods × seeds on one data set and network, compared in one table.</summary>
internal static class BenchCommand
{
    public static System.CommandLine.Command Create(TextWriter output, TextWriter error, Action<string>? outputStep = null)
    {
        var common = new CommonOptions();
        var methods = new Option<string>("--methods") { Description = "Comma-separated methods: " + CommonOptions.MethodList + "; PQ-index methods take their orders as name(p,q); 'paper' stands for the ICP paper's seven (lth, sap(1,2), sap(0.5,1), icp-if-sap(1,2), icp-if-sap(0.5,1), icp-gf-sap(1,2), icp-gf-sap(0.5,1)).", DefaultValueFactory = _ => "lth,imp-ar,icp-if" };
        var seeds = new Option<int>("--seeds") { Description = "Runs per method, with seeds --seed, --seed+1, ...", DefaultValueFactory = _ => 1 };
        var command = new System.CommandLine.Command("bench", "Run several pruning methods × seeds on one data set and network and write a comparison (bench.json, bench.md and its accuracy-vs-epochs chart) to --out, with each run's model measured in ONNX Runtime against the dense counterpart (--measure-runs 0 skips that).\n\n"
            + "Examples:\n"
            + "  mlnet-prune bench\n"
            + "  mlnet-prune bench --methods lth,imp-ar,icp-if --seeds 3 --rounds 5 --out runs/bench\n"
            + "  mlnet-prune bench --data mnist:data/mnist --arch lenet300 --methods lth,icp-if --format json\n"
            + "  mlnet-prune bench --methods paper --protocol reference --seeds 3 --rounds 15 --epochs 40");
        common.AddTo(command);
        command.Options.Add(methods);
        command.Options.Add(seeds);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = common.Read(parse);
            var methodList = MethodSpec.SplitList(parse.GetValue(methods)!).ToArray();
            int seedCount = parse.GetValue(seeds);
            return await Task.Run(() => Run(settings, methodList, seedCount, output, error, outputStep, cancellationToken), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static int Run(PruneSettings settings, string[] methods, int seedCount, TextWriter output, TextWriter error, Action<string>? outputStep, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        CheckMethods(methods, seedCount);
        foreach (var m in methods)
        {
            RunSetup.Options(settings, m, settings.Seed, null); // every method name checked before any training
        }

        var setup = RunSetup.Prepare(settings);
        var seeds = Enumerable.Range(0, seedCount).Select(i => settings.Seed + i).ToList();
        using var folder = OutputFolder.Open(setup.OutputDirectory, "bench", error);
        var progress = settings.Json ? null : new MethodProgress(error);
        var deployment = settings.Measurement is null ? null : new BenchDeployment(setup.Network, settings, settings.Json ? null : error, cancellationToken);
        MethodComparison comparison;
        try
        {
            comparison = MethodComparison.Run(setup.Network, setup.Split, methods, seeds,
                (m, s) => RunSetup.Options(settings, m, s, null) with { Task = setup.Tabular?.Task }, progress, cancellationToken, deployment is null ? null : deployment.Complete);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("mlnet-prune: cancelled; nothing was written.");
            return ExitCodes.Cancelled;
        }
        catch (TrainingDivergedException e)
        {
            throw new CliFailureException(e.Message + " Nothing was written.", e);
        }

        comparison = comparison with { Data = settings.Data, Architecture = setup.NetworkName };
        var set = OutputSet.Begin(folder, OutputSetKind.Bench, outputStep, cancellationToken);
        try
        {
            Reporting.ReportWriter.Save(comparison, set.StagingDirectory);
            set.Staged("bench");
            set.Commit();
        }
        catch (OperationCanceledException)
        {
            set.Discard();
            error.WriteLine("mlnet-prune: cancelled before the comparison was written: none of its files were.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            set.Discard();
            throw new CliFailureException(set.Committing
                ? $"the comparison's files could not all be put in place in '{folder.FullPath}': {e.Message}. They are complete in a hidden staging folder there; the next run with this --out puts them in place first."
                : $"cannot write the comparison to '{folder.FullPath}': {e.Message}. None of its files were written; the earlier files there are unchanged.", e);
        }
        catch
        {
            set.Discard(); // an unexpected error: the folder stays as it was
            throw;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("mlnet-prune: cancelled while the comparison's files were being put in place; they are complete.");
            return ExitCodes.Cancelled;
        }

        if (settings.Json)
        {
            output.WriteLine(comparison.ToJson());
        }
        else
        {
            output.WriteLine(string.Create(c, $"| method | sparsity | test {comparison.Metric} (mean ± sd) | retraining epochs | retraining rows | wall s | flow overhead |"));
            output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var m in comparison.Methods)
            {
                output.WriteLine(string.Create(c, $"| {m.Method} | {m.Sparsity:P2} | {ProgressText.Metric(comparison.Metric, m.TestMetric)} ± {ProgressText.Metric(comparison.Metric, m.TestMetricSd)} | {m.RetrainingEpochs:F2} | {m.RetrainingSamples:N0} | {m.WallSeconds:F1} | {m.FlowOverhead:P1} |"));
            }

            foreach (var run in comparison.Runs.Where(r => r.Deployment is not null))
            {
                output.WriteLine($"{run.Method} seed {run.Seed}: {DeploymentStep.Summary(run.Deployment!)}");
            }

            output.WriteLine($"comparison: {Path.Combine(setup.OutputDirectory, "bench.md")}");
        }

        return ExitCodes.Success;
    }

    /// <summary>At least one method, each named once, and at least one seed.</summary>
    private static void CheckMethods(string[] methods, int seedCount)
    {
        if (seedCount <= 0)
        {
            throw new CliUsageException($"--seeds must be positive (got {seedCount}).");
        }

        if (methods.Length == 0)
        {
            throw new CliUsageException("--methods names no method.");
        }

        var repeated = methods.GroupBy(m => m, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new CliUsageException($"--methods names '{repeated.Key}' {repeated.Count()} times; name each method once (use --seeds for repeated runs).");
        }
    }

    /// <summary>Each run's final network exported as prune would (auto storage) and measured against the dense
    /// counterpart, which is made once for the whole comparison.</summary>
    private sealed class BenchDeployment(Networks.INetworkSource source, PruneSettings settings, TextWriter? progress, CancellationToken cancellationToken)
    {
        private byte[]? _dense;

        public PruningReport Complete(PruningResult result, PruningReport report)
        {
            var model = Onnx.OnnxExporter.Export(result.Network, new Onnx.OnnxExportOptions { Storage = Onnx.OnnxStorage.Auto, Compact = settings.CompactExport });
            progress?.WriteLine($"[{report.Method} seed {report.Seed}] measuring the model against the {DeploymentStep.DenseName} with ONNX Runtime...");
            return DeploymentStep.Attach(report, model, () => _dense ??= DeploymentStep.DenseCounterpart(source, settings.Seed), settings.Measurement!, cancellationToken);
        }
    }

    /// <summary>One line per check point, tagged with method and seed.</summary>
    private sealed class MethodProgress(TextWriter writer) : IProgress<(string Method, long Seed, PruningProgress Progress)>
    {
        public void Report((string Method, long Seed, PruningProgress Progress) value)
        {
            var p = value.Progress;
            if (p.IsCheck)
            {
                writer.WriteLine($"[{value.Method} seed {value.Seed}] {ProgressText.CheckLine(p)}");
            }
        }
    }
}

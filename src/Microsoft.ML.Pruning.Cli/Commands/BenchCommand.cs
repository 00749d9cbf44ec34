using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune bench</c>: several methods × seeds on one data set and network, compared in one table.</summary>
internal static class BenchCommand
{
    public static System.CommandLine.Command Create(TextWriter output, TextWriter error)
    {
        var common = new CommonOptions();
        var methods = new Option<string>("--methods") { Description = "Comma-separated methods: " + CommonOptions.MethodList + ".", DefaultValueFactory = _ => "lth,imp-ar,icp-if" };
        var seeds = new Option<int>("--seeds") { Description = "Runs per method, with seeds --seed, --seed+1, ...", DefaultValueFactory = _ => 1 };
        var command = new System.CommandLine.Command("bench", "Run several pruning methods × seeds on one data set and network and write a comparison (bench.json, bench.md and its accuracy-vs-epochs chart) to --out.\n\n"
            + "Examples:\n"
            + "  mlnet-prune bench\n"
            + "  mlnet-prune bench --methods lth,imp-ar,icp-if --seeds 3 --rounds 5 --out runs/bench\n"
            + "  mlnet-prune bench --data mnist:data/mnist --arch lenet300 --methods lth,icp-if --format json");
        common.AddTo(command);
        command.Options.Add(methods);
        command.Options.Add(seeds);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = common.Read(parse);
            var methodList = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int seedCount = parse.GetValue(seeds);
            return await Task.Run(() => Run(settings, methodList, seedCount, output, error, cancellationToken), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static int Run(PruneSettings settings, string[] methods, int seedCount, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        if (seedCount <= 0)
        {
            throw new CliUsageException($"--seeds must be positive (got {seedCount}).");
        }

        if (methods.Length == 0)
        {
            throw new CliUsageException("--methods names no method.");
        }

        var setup = RunSetup.Prepare(settings);
        var seeds = Enumerable.Range(0, seedCount).Select(i => settings.Seed + i).ToList();
        foreach (var m in methods)
        {
            RunSetup.Options(settings, m, settings.Seed, null); // every method name checked before any training
        }

        var progress = settings.Json ? null : new MethodProgress(error);
        MethodComparison comparison;
        try
        {
            comparison = MethodComparison.Run(setup.Network, setup.Split, methods, seeds,
                (m, s) => RunSetup.Options(settings, m, s, null), progress, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("mlnet-prune: cancelled.");
            return ExitCodes.Cancelled;
        }

        comparison = comparison with { Data = settings.Data, Architecture = setup.NetworkName };
        Reporting.ReportWriter.Save(comparison, setup.OutputDirectory);
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

            output.WriteLine($"comparison: {Path.Combine(setup.OutputDirectory, "bench.md")}");
        }

        return ExitCodes.Success;
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

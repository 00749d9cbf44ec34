using System.Globalization;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Runs <c>prune</c>: every input is checked before any training starts; the final files appear as one set.</summary>
internal static class PruneRunner
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(PruneSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken, Action<string>? outputStep = null)
    {
        // Method and numbers are checked before the data is loaded; --out is only checked, created when training starts.
        var pruner = new IterativePruner(RunSetup.Options(settings, settings.Method, settings.Seed, OutputFolder.Check(settings.OutputDirectory)));
        var setup = RunSetup.Prepare(settings);
        pruner = TabularSetup.WithTask(pruner, setup.Tabular);
        var (split, definition, networkName, outDir) = (setup.Split, setup.Network, setup.NetworkName, setup.OutputDirectory);

        var options = pruner.Options;
        if (!settings.Json)
        {
            error.WriteLine(string.Create(C, $"data {settings.Data}: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test rows, {split.Train.FeatureCount} features, {TabularSetup.Describe(split, setup.Tabular)}"));
            long prunable = definition.PrunableLayers.Sum(l => l.WeightCount);
            error.WriteLine(string.Create(C, $"network {networkName}: {setup.ParameterCount:N0} parameters, {prunable:N0} prunable weights in {definition.PrunableLayers.Count} layers{(definition.HasTrainedWeights ? " (imported weights)" : "")}"));
            error.WriteLine(string.Create(C, $"method {options.Method}: {options.Rounds} rounds, rate {options.Rate} ({options.Criterion.Name}), rewind {options.Rewind}, {options.Stopping.Name}; {options.PretrainEpochs} dense epochs; {options.Training.Optimizer}, batch {options.Training.BatchSize}"));
        }

        using var folder = OutputFolder.Open(outDir, "prune", error);
        bool live = !settings.Json && LiveProgress.IsInteractive(error);
        PruningResult result;
        try
        {
            result = live
                ? LiveProgress.Run(error, progress => pruner.Run(definition, split, progress, cancellationToken))
                : pruner.Run(definition, split, settings.Json ? null : new LineProgress(error), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine(File.Exists(PruningCheckpoint.PathIn(outDir))
                ? "mlnet-prune: cancelled; the last completed round's checkpoint is in --out (continue with --resume)."
                : "mlnet-prune: cancelled before the first checkpoint; nothing was written.");
            return ExitCodes.Cancelled;
        }
        catch (InvalidDataException e)
        {
            throw new CliUsageException(e.Message, e);
        }
        catch (TrainingDivergedException e)
        {
            throw new CliFailureException(e.Message + EarlierOutputs(folder), e);
        }

        using (result)
        {
            var report = result.Report with { Data = settings.Data, Architecture = networkName };
            var set = OutputSet.Begin(folder, OutputSetKind.Prune, outputStep, cancellationToken);
            bool measuringCancelled;
            try
            {
                (report, measuringCancelled) = Stage(set, result, report, settings, options, definition, setup.Tabular, error, cancellationToken);
                set.Commit();
            }
            catch (OperationCanceledException)
            {
                set.Discard();
                error.WriteLine("mlnet-prune: cancelled before the final files were written: none were; the last completed round's checkpoint is in --out (continue with --resume).");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                set.Discard();
                throw new CliFailureException(set.Committing
                    ? $"the final files could not all be put in place in '{outDir}': {e.Message}. They are complete in a hidden staging folder there; the next run with this --out puts them in place first."
                    : $"cannot write the final files to '{outDir}': {e.Message}. None were written; the earlier files there are unchanged.", e);
            }
            catch
            {
                set.Discard(); // an unexpected error: the folder stays as it was
                throw;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                error.WriteLine("mlnet-prune: cancelled while the final files were being put in place; they are complete.");
                return ExitCodes.Cancelled;
            }

            PrintResult(output, error, settings, live, report, networkName, outDir);
            if (measuringCancelled)
            {
                error.WriteLine("mlnet-prune: cancelled while measuring the model; model.onnx and the report are written, without deployment figures.");
                return ExitCodes.Cancelled;
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Writes model.onnx, measures it against its dense counterpart (unless --measure-runs 0), then writes report.json,
    /// report.md and the charts into the set's staging folder. A cancellation while measuring leaves the figures out and
    /// says so (the second value); the run's files are still written.
    /// </summary>
    private static (PruningReport Report, bool MeasuringCancelled) Stage(OutputSet set, PruningResult result, PruningReport report, PruneSettings settings,
        IterativePrunerOptions options, INetworkSource source, TabularSetup.Tabular? tabular, TextWriter error, CancellationToken cancellationToken)
    {
        string modelPath = set.FinalPath("model.onnx");
        string stagedModel = set.StagingPath("model.onnx");
        var storage = Enum.Parse<OnnxStorage>(settings.Storage, ignoreCase: true);
        OnnxExporter.Save(result.Network, stagedModel, TabularSetup.ExportOptions(new OnnxExportOptions { Storage = storage, Compact = settings.CompactExport, Metadata = OnnxExporter.MetadataFrom(report, result.Masks) }, tabular));
        set.Staged("model.onnx");
        report = report with { Onnx = new OnnxExportInfo(modelPath, new FileInfo(stagedModel).Length, settings.Storage.ToLowerInvariant()) };
        bool cancelled = false;
        if (settings.Measurement is { } measurement)
        {
            if (!settings.Json)
            {
                error.WriteLine($"measuring model.onnx against the {DeploymentStep.DenseName} with ONNX Runtime...");
            }

            try
            {
                report = DeploymentStep.Attach(report, File.ReadAllBytes(stagedModel), () => DeploymentStep.DenseCounterpart(source, settings.Seed), measurement, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled = true; // the run is done: its model and report are still written, without the figures
            }
        }

        Reporting.ReportWriter.Save(report, set.StagingDirectory, FlowEpsilon(options.Stopping));
        set.Staged("report");
        return (report, cancelled);
    }

    private static void PrintResult(TextWriter output, TextWriter error, PruneSettings settings, bool live, PruningReport report, string networkName, string outDir)
    {
        if (settings.Json)
        {
            output.WriteLine(report.ToJson());
            return;
        }

        if (live)
        {
            LiveProgress.WriteSummary(error, report);
        }

        var d = report.Dense!;
        var f = report.Final!;
        string metric = report.Metric;
        output.WriteLine(string.Create(C, $"dense {networkName}: validation {metric} {report.FormatMetric(d.ValMetric)}, test {report.FormatMetric(d.TestMetric)}"));
        output.WriteLine(string.Create(C, $"{report.Method} after {report.Rounds.Count} rounds: sparsity {f.Sparsity:P1}, validation {metric} {report.FormatMetric(f.ValMetric)}, test {report.FormatMetric(f.TestMetric)}; {report.TotalEpochs:0.##} epochs ({report.TotalSamples:N0} rows) in {report.TotalWallSeconds:F1} s"));
        if (StopSummary(report) is { } stops)
        {
            output.WriteLine(stops);
        }

        foreach (string warning in report.Warnings)
        {
            error.WriteLine($"warning: {warning}");
        }

        output.WriteLine(string.Create(C, $"model: {report.Onnx!.Path} ({report.Onnx.Bytes:N0} bytes, {report.Onnx.Storage} storage)"));
        if (report.Deployment is { } deployment)
        {
            output.WriteLine(DeploymentStep.Summary(deployment));
        }

        output.WriteLine(string.Create(C, $"report: {Path.Combine(outDir, "report.md")}"));
    }

    /// <summary>How the adaptive rounds ended ("retraining 2.9 epochs in 10 rounds, 0.25-1.5 a round: flow-consistent x4,
    /// accuracy-recovered x6"), or null for fixed-length methods, whose rounds all end alike.</summary>
    private static string? StopSummary(PruningReport report)
    {
        if (report.Rounds.Count == 0 || report.Rounds.All(r => r.StopReason == report.Rounds[0].StopReason && r.StopReason == StopReasons.FixedEpochs))
        {
            return null;
        }

        double retraining = report.Rounds.Sum(r => r.Epochs);
        var reasons = report.Rounds.GroupBy(r => r.StopReason).Select(g => string.Create(C, $"{g.Key} x{g.Count()}"));
        return string.Create(C, $"retraining {retraining:0.##} epochs in {report.Rounds.Count} rounds, {report.Rounds.Min(r => r.Epochs):0.##}-{report.Rounds.Max(r => r.Epochs):0.##} a round: {string.Join(", ", reasons)}");
    }

    /// <summary>Says so when the folder still holds an earlier run's complete files, so they are not taken for this run's.</summary>
    internal static string EarlierOutputs(OutputFolder folder) => folder.Marker(OutputSetKind.Prune) is { } earlier
        ? $" The model and report in --out are an earlier run's ({earlier.Describe()})."
        : "";

    /// <summary>The threshold the recorded flow distance is compared with, or null when the policy measures no single flow.</summary>
    internal static double? FlowEpsilon(Stopping.IStoppingPolicy policy) => policy is Stopping.IcpStoppingPolicy icp
        ? icp.Flow switch
        {
            Stopping.FlowKind.Information => icp.InformationEpsilon,
            Stopping.FlowKind.Gradient => icp.GradientEpsilon,
            _ => null, // both flows: the recorded distance is not compared with one threshold
        }
        : null;
}

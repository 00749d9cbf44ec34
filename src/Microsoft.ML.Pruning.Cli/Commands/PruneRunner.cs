using System.Globalization;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
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
        var (split, architecture, definition, outDir) = (setup.Split, setup.Architecture, setup.Definition, setup.OutputDirectory);

        var options = pruner.Options;
        if (!settings.Json)
        {
            error.WriteLine(string.Create(C, $"data {settings.Data}: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test rows, {split.Train.FeatureCount} features, {split.Train.ClassCount} classes"));
            error.WriteLine(string.Create(C, $"network {architecture}: {definition.ParameterCount:N0} parameters, {definition.PrunableWeightCount:N0} prunable weights in {definition.PrunableLayers.Count} layers"));
            error.WriteLine(string.Create(C, $"method {options.Method}: {options.Rounds} rounds, rate {options.Rate}, rewind {options.Rewind}, {options.Stopping.Name}; {options.PretrainEpochs} dense epochs; {options.Training.Optimizer}, batch {options.Training.BatchSize}"));
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
            var report = result.Report with { Data = settings.Data, Architecture = architecture.ToString() };
            var set = OutputSet.Begin(folder, OutputSetKind.Prune, outputStep, cancellationToken);
            try
            {
                report = Stage(set, result, report, settings, options);
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

            PrintResult(output, error, settings, live, report, architecture, outDir);
        }

        return ExitCodes.Success;
    }

    /// <summary>Writes model.onnx, report.json, report.md and the charts into the set's staging folder.</summary>
    private static PruningReport Stage(OutputSet set, PruningResult result, PruningReport report, PruneSettings settings, IterativePrunerOptions options)
    {
        string modelPath = set.FinalPath("model.onnx");
        var storage = Enum.Parse<OnnxStorage>(settings.Storage, ignoreCase: true);
        OnnxExporter.Save(result.Network, set.StagingPath("model.onnx"), new OnnxExportOptions { Storage = storage, Metadata = OnnxExporter.MetadataFrom(report, result.Masks) });
        set.Staged("model.onnx");
        report = report with { Onnx = new OnnxExportInfo(modelPath, new FileInfo(set.StagingPath("model.onnx")).Length, settings.Storage.ToLowerInvariant()) };
        Reporting.ReportWriter.Save(report, set.StagingDirectory, FlowEpsilon(options.Stopping));
        set.Staged("report");
        return report;
    }

    private static void PrintResult(TextWriter output, TextWriter error, PruneSettings settings, bool live, PruningReport report, NetworkArchitecture architecture, string outDir)
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
        output.WriteLine(string.Create(C, $"dense {architecture}: validation {d.ValAccuracy:P2}, test {d.TestAccuracy:P2}"));
        output.WriteLine(string.Create(C, $"{report.Method} after {report.Rounds.Count} rounds: sparsity {f.Sparsity:P1}, validation {f.ValAccuracy:P2}, test {f.TestAccuracy:P2}; {report.TotalEpochs} epochs in {report.TotalWallSeconds:F1} s"));
        output.WriteLine(string.Create(C, $"model: {report.Onnx!.Path} ({report.Onnx.Bytes:N0} bytes, {report.Onnx.Storage} storage)"));
        output.WriteLine(string.Create(C, $"report: {Path.Combine(outDir, "report.md")}"));
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

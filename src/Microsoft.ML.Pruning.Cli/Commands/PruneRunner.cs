using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Runs <c>prune</c>: every input is checked before any training starts.</summary>
internal static class PruneRunner
{
    public static int Run(PruneSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var setup = RunSetup.Prepare(settings);
        var (split, definition, networkName, outDir) = (setup.Split, setup.Network, setup.NetworkName, setup.OutputDirectory);
        var pruner = new IterativePruner(RunSetup.Options(settings, settings.Method, settings.Seed, outDir));

        var options = pruner.Options;
        if (!settings.Json)
        {
            error.WriteLine(string.Create(c, $"data {settings.Data}: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test rows, {split.Train.FeatureCount} features, {split.Train.ClassCount} classes"));
            long prunable = definition.PrunableLayers.Sum(l => l.WeightCount);
            error.WriteLine(string.Create(c, $"network {networkName}: {setup.ParameterCount:N0} parameters, {prunable:N0} prunable weights in {definition.PrunableLayers.Count} layers{(definition.HasTrainedWeights ? " (imported weights)" : "")}"));
            error.WriteLine(string.Create(c, $"method {options.Method}: {options.Rounds} rounds, rate {options.Rate}, rewind {options.Rewind}, {options.Stopping.Name}; {options.PretrainEpochs} dense epochs; {options.Training.Optimizer}, batch {options.Training.BatchSize}"));
        }

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
            error.WriteLine("mlnet-prune: cancelled; the last completed round's checkpoint is in --out (continue with --resume).");
            return ExitCodes.Cancelled;
        }
        catch (InvalidDataException e)
        {
            throw new CliUsageException(e.Message, e);
        }

        using (result)
        {
            var report = result.Report with { Data = settings.Data, Architecture = networkName };
            string modelPath = Path.Combine(outDir, "model.onnx");
            var storage = Enum.Parse<OnnxStorage>(settings.Storage, ignoreCase: true);
            OnnxExporter.Save(result.Network, modelPath, new OnnxExportOptions { Storage = storage, Metadata = OnnxExporter.MetadataFrom(report, result.Masks) });
            report = report with { Onnx = new OnnxExportInfo(modelPath, new FileInfo(modelPath).Length, settings.Storage.ToLowerInvariant()) };
            string json = report.ToJson();
            Reporting.ReportWriter.Save(report, outDir, FlowEpsilon(options.Stopping));
            if (settings.Json)
            {
                output.WriteLine(json);
            }
            else
            {
                if (live)
                {
                    LiveProgress.WriteSummary(error, report);
                }

                var d = report.Dense!;
                var f = report.Final!;
                output.WriteLine(string.Create(c, $"dense {networkName}: validation {d.ValAccuracy:P2}, test {d.TestAccuracy:P2}"));
                output.WriteLine(string.Create(c, $"{report.Method} after {report.Rounds.Count} rounds: sparsity {f.Sparsity:P1}, validation {f.ValAccuracy:P2}, test {f.TestAccuracy:P2}; {report.TotalEpochs} epochs in {report.TotalWallSeconds:F1} s"));
                output.WriteLine(string.Create(c, $"model: {modelPath} ({report.Onnx!.Bytes:N0} bytes, {report.Onnx.Storage} storage)"));
                output.WriteLine(string.Create(c, $"report: {Path.Combine(outDir, "report.md")}"));
            }
        }

        return ExitCodes.Success;
    }

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

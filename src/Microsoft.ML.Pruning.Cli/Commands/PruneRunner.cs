using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Runs <c>prune</c>: every input is checked before any training starts.</summary>
internal static class PruneRunner
{
    public static int Run(PruneSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var split = Usage(() => DataSource.Load(settings.Data, new DataLoadOptions { Split = SplitFractions.Parse(settings.Split), Seed = settings.Seed }));
        var architecture = Usage(() => NetworkArchitecture.Parse(settings.Architecture));
        var definition = Usage(() => architecture.Define(split.Train.FeatureCount, split.Train.Shape, split.Train.ClassCount));
        string outDir = Usage(() => PrepareOutputDirectory(settings.OutputDirectory));
        var pruner = Usage(() =>
        {
            OptimizerOptions optimizer = settings.Optimizer == "sgd"
                ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
                : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
            var baseOptions = new IterativePrunerOptions
            {
                Rounds = settings.Rounds,
                PretrainEpochs = settings.PretrainEpochs,
                Scope = settings.Scope == "global" ? PruningScope.Global : PruningScope.Layerwise,
                Training = new TrainingOptions { Optimizer = optimizer, BatchSize = settings.BatchSize },
                Seed = settings.Seed,
                CheckpointDirectory = outDir,
                Resume = settings.Resume,
            };
            if (settings.Epochs <= 0)
            {
                throw new ArgumentOutOfRangeException("--epochs", settings.Epochs, $"--epochs must be positive (got {settings.Epochs}).");
            }

            if (!(settings.Rate > 0 && settings.Rate < 1))
            {
                throw new ArgumentOutOfRangeException("--rate", settings.Rate, $"--rate must be in (0, 1), the fraction of surviving weights removed per round (got {settings.Rate}).");
            }

            return new IterativePruner(PruningMethods.Apply(settings.Method, baseOptions, settings.Epochs, settings.Rate));
        });

        var options = pruner.Options;
        if (!settings.Json)
        {
            error.WriteLine(string.Create(c, $"data {settings.Data}: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test rows, {split.Train.FeatureCount} features, {split.Train.ClassCount} classes"));
            error.WriteLine(string.Create(c, $"network {architecture}: {definition.ParameterCount:N0} parameters, {definition.PrunableWeightCount:N0} prunable weights in {definition.PrunableLayers.Count} layers"));
            error.WriteLine(string.Create(c, $"method {options.Method}: {options.Rounds} rounds, rate {options.Rate}, rewind {options.Rewind}, {options.Stopping.Name}; {options.PretrainEpochs} dense epochs; {options.Training.Optimizer}, batch {options.Training.BatchSize}"));
        }

        var progress = settings.Json ? null : new LineProgress(error);
        PruningResult result;
        try
        {
            result = pruner.Run(definition, split, progress, cancellationToken);
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
            var report = result.Report with { Data = settings.Data, Architecture = architecture.ToString() };
            string json = report.ToJson();
            report.Save(outDir);
            if (settings.Json)
            {
                output.WriteLine(json);
            }
            else
            {
                var d = report.Dense!;
                var f = report.Final!;
                output.WriteLine(string.Create(c, $"dense {architecture}: validation {d.ValAccuracy:P2}, test {d.TestAccuracy:P2}"));
                output.WriteLine(string.Create(c, $"{report.Method} after {report.Rounds.Count} rounds: sparsity {f.Sparsity:P1}, validation {f.ValAccuracy:P2}, test {f.TestAccuracy:P2}; {report.TotalEpochs} epochs in {report.TotalWallSeconds:F1} s"));
                output.WriteLine(string.Create(c, $"report: {Path.Combine(outDir, "report.md")}"));
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Creates the output folder and proves it writable before any training.</summary>
    private static string PrepareOutputDirectory(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--out '{path}' is not a writable folder: {e.Message}", e);
        }
    }

    /// <summary>Turns an input problem (bad spec, missing or corrupt file) into a one-line usage error.</summary>
    private static T Usage<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            // ArgumentException appends "(Parameter 'x')": noise on a command line.
            string message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            throw new CliUsageException(message, e);
        }
    }
}

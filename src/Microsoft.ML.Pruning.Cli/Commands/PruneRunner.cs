using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.IO;
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
        if (settings.Epochs < 0)
        {
            throw new CliUsageException($"--epochs must be 0 or more (got {settings.Epochs}).");
        }

        if (settings.BatchSize <= 0)
        {
            throw new CliUsageException($"--batch-size must be positive (got {settings.BatchSize}).");
        }

        var split = Usage(() => DataSource.Load(settings.Data, new DataLoadOptions { Split = SplitFractions.Parse(settings.Split), Seed = settings.Seed }));
        var architecture = Usage(() => NetworkArchitecture.Parse(settings.Architecture));
        var definition = Usage(() => architecture.Define(split.Train.FeatureCount, split.Train.Shape, split.Train.ClassCount));
        var training = Usage(() =>
        {
            OptimizerOptions optimizer = settings.Optimizer == "sgd"
                ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
                : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
            var options = new TrainingOptions { Optimizer = optimizer, BatchSize = settings.BatchSize };
            options.Validate();
            return options;
        });
        string outDir = Usage(() => PrepareOutputDirectory(settings.OutputDirectory));

        if (!settings.Json)
        {
            error.WriteLine(c, $"data {settings.Data}: {split.Train.Count} train, {split.Validation.Count} validation, {split.Test.Count} test rows, {split.Train.FeatureCount} features, {split.Train.ClassCount} classes");
            error.WriteLine(c, $"network {architecture}: {definition.ParameterCount:N0} parameters, {definition.PrunableLayers.Count} prunable layers; {training.Optimizer}, batch {training.BatchSize}");
        }

        var clock = Stopwatch.StartNew();
        TrainingSeed.Apply(settings.Seed);
        using var network = NetworkBuilder.Build(definition, settings.Seed);
        using var train = new TensorBatches(split.Train, settings.Seed);
        using var validation = new TensorBatches(split.Validation, settings.Seed);
        using var test = new TensorBatches(split.Test, settings.Seed);
        using var trainer = new Trainer(network, training);
        try
        {
            for (int epoch = 0; epoch < settings.Epochs; epoch++)
            {
                var result = trainer.TrainEpoch(train, epoch, "dense", null, cancellationToken);
                if (!settings.Json)
                {
                    var val = trainer.Evaluate(validation, cancellationToken);
                    error.WriteLine(c, $"dense epoch {epoch + 1}/{settings.Epochs}: loss {result.TrainLoss:F4}, train {result.TrainAccuracy:P2}, validation {val.Accuracy:P2}, {result.Seconds:F1} s ({result.SamplesPerSecond:N0} rows/s)");
                }
            }
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("mlnet-prune: cancelled.");
            return ExitCodes.Cancelled;
        }

        var valResult = trainer.Evaluate(validation, cancellationToken);
        var testResult = trainer.Evaluate(test, cancellationToken);
        clock.Stop();
        var report = new PruningReport
        {
            Method = "dense",
            Architecture = architecture.ToString(),
            Data = settings.Data,
            Seed = settings.Seed,
            Dense = new DenseResult(valResult.Accuracy, testResult.Accuracy, settings.Epochs, clock.Elapsed.TotalSeconds),
            Final = new FinalResult(0.0, valResult.Accuracy, testResult.Accuracy),
            TotalEpochs = settings.Epochs,
            TotalWallSeconds = clock.Elapsed.TotalSeconds,
        };
        string json = report.ToJson();
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.json"), json);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), report.ToMarkdown());
        if (settings.Json)
        {
            output.WriteLine(json);
        }
        else
        {
            output.WriteLine(c, $"dense {architecture}: validation {valResult.Accuracy:P2}, test {testResult.Accuracy:P2} after {settings.Epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s");
            output.WriteLine(c, $"report: {Path.Combine(outDir, "report.json")}");
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
        catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            throw new CliUsageException(e.Message, e);
        }
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Turns parsed settings into data, network and engine options; every input problem becomes a usage error
/// before any training starts.</summary>
internal static class RunSetup
{
    public sealed record Prepared(DataSplit Split, NetworkArchitecture Architecture, NetworkDefinition Definition, string OutputDirectory);

    public static Prepared Prepare(PruneSettings settings)
    {
        var split = Usage(() => DataSource.Load(settings.Data, new DataLoadOptions { Split = SplitFractions.Parse(settings.Split), Seed = settings.Seed }));
        var architecture = Usage(() => NetworkArchitecture.Parse(settings.Architecture));
        var definition = Usage(() => architecture.Define(split.Train));
        string outDir = Usage(() => PrepareOutputDirectory(settings.OutputDirectory));
        return new Prepared(split, architecture, definition, outDir);
    }

    /// <summary>The engine options of one run of <paramref name="method"/> with <paramref name="seed"/>.</summary>
    public static IterativePrunerOptions Options(PruneSettings settings, string method, long seed, string? checkpointDirectory) => Usage(() =>
    {
        if (settings.Epochs <= 0)
        {
            throw new ArgumentOutOfRangeException("--epochs", settings.Epochs, $"--epochs must be positive (got {settings.Epochs}).");
        }

        if (!(settings.Rate > 0 && settings.Rate < 1))
        {
            throw new ArgumentOutOfRangeException("--rate", settings.Rate, $"--rate must be in (0, 1), the fraction of surviving weights removed per round (got {settings.Rate}).");
        }

        if (settings.Epsilon is { } eps && !(eps > 0))
        {
            throw new ArgumentOutOfRangeException("--epsilon", eps, $"--epsilon must be positive (got {eps}).");
        }

        OptimizerOptions optimizer = settings.Optimizer == "sgd"
            ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
            : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
        var baseOptions = new IterativePrunerOptions
        {
            Rounds = settings.Rounds,
            PretrainEpochs = settings.PretrainEpochs,
            Scope = settings.Scope == "global" ? PruningScope.Global : PruningScope.Layerwise,
            Training = new TrainingOptions { Optimizer = optimizer, BatchSize = settings.BatchSize },
            Seed = seed,
            CheckpointDirectory = checkpointDirectory,
            Resume = settings.Resume,
        };
        var options = PruningMethods.Apply(method, baseOptions, settings.Epochs, settings.Rate, settings.Epsilon);
        options.Validate();
        return options;
    });

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

    /// <summary>Turns an input problem (bad spec, missing or corrupt file, bad option) into a one-line usage error.</summary>
    public static T Usage<T>(Func<T> f)
    {
        try
        {
            return f();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            // ArgumentException appends "(Parameter 'x')": noise on a command line.
            string message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            throw new CliUsageException(message, e);
        }
    }
}

using System.Globalization;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Turns parsed settings into data, network and engine options; every input problem becomes a usage error
/// before any training starts.</summary>
internal static class RunSetup
{
    /// <summary>Dense epochs before the first round when --pretrain-epochs is not given, for a built-in architecture.</summary>
    public const int DefaultPretrainEpochs = 10;

    /// <param name="Split">The data.</param>
    /// <param name="Network">The network to prune: a built-in definition or an imported model.</param>
    /// <param name="NetworkName">How reports name it: the architecture (as --arch takes it) or the model's file name.</param>
    /// <param name="ParameterCount">Its trained parameters.</param>
    /// <param name="OutputDirectory">The output folder, created and writable.</param>
    public sealed record Prepared(DataSplit Split, INetworkSource Network, string NetworkName, long ParameterCount, string OutputDirectory);

    public static Prepared Prepare(PruneSettings settings)
    {
        if (settings.Model is not null && settings.ArchitectureGiven)
        {
            throw new CliUsageException("--model and --arch both name the network to prune; give one of them.");
        }

        var split = Usage(() => DataSource.Load(settings.Data, new DataLoadOptions { Split = SplitFractions.Parse(settings.Split), Seed = settings.Seed }));
        var prepared = settings.Model is { } path ? Imported(path, split) : BuiltIn(settings.Architecture, split);
        string outDir = Usage(() => PrepareOutputDirectory(settings.OutputDirectory));
        return prepared with { OutputDirectory = outDir };
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

        if (settings.PretrainEpochs is < 0)
        {
            throw new ArgumentOutOfRangeException("--pretrain-epochs", settings.PretrainEpochs, $"--pretrain-epochs must be 0 or more (got {settings.PretrainEpochs}).");
        }

        OptimizerOptions optimizer = settings.Optimizer == "sgd"
            ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
            : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
        var baseOptions = new IterativePrunerOptions
        {
            Rounds = settings.Rounds,
            PretrainEpochs = PretrainEpochs(settings),
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

    /// <summary>--pretrain-epochs, or its default: none for an imported model (already trained), 10 for a built-in.</summary>
    public static int PretrainEpochs(PruneSettings settings) => settings.PretrainEpochs ?? (settings.Model is null ? DefaultPretrainEpochs : 0);

    private static Prepared BuiltIn(string name, DataSplit split)
    {
        var architecture = Usage(() => NetworkArchitecture.Parse(name));
        var definition = Usage(() => architecture.Define(split.Train));
        return new Prepared(split, definition, architecture.ToString(), definition.ParameterCount, "");
    }

    /// <summary>Reads and checks the model, and that the data fits it (feature count, classes).</summary>
    private static Prepared Imported(string path, DataSplit split)
    {
        var model = Usage(() => OnnxModelSource.Load(path));
        var c = CultureInfo.InvariantCulture;
        string input = string.Create(c, $"input '{model.InputName}' [N, {string.Join(", ", model.InputShape)}]");
        if (split.Train.FeatureCount != model.InputFeatures)
        {
            throw new CliUsageException(string.Create(c,
                $"--data rows have {split.Train.FeatureCount} features but --model '{model.Name}' takes {model.InputFeatures} ({input}); give data with one feature per input value."));
        }

        if (split.Train.ClassCount > model.OutputWidth)
        {
            throw new CliUsageException(string.Create(c,
                $"--data has {split.Train.ClassCount} classes but --model '{model.Name}' outputs {model.OutputWidth} class scores."));
        }

        return new Prepared(split, model, model.Name, model.ParameterCount, "");
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

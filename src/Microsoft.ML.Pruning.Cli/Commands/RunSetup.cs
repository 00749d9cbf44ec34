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

        bool reference = settings.Protocol == "reference";
        // The reference code trains with plain SGD (lr 0.01, no momentum) on batches of 64 whatever --optimizer says.
        OptimizerOptions optimizer = reference ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.01, momentum: 0)
            : settings.Optimizer == "sgd" ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
            : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
        var baseOptions = new IterativePrunerOptions
        {
            Rounds = settings.Rounds,
            PretrainEpochs = settings.PretrainEpochs,
            Scope = settings.Scope == "global" ? PruningScope.Global : PruningScope.Layerwise,
            Training = new TrainingOptions { Optimizer = optimizer, BatchSize = reference ? 64 : settings.BatchSize },
            Seed = seed,
            CheckpointDirectory = checkpointDirectory,
            Resume = settings.Resume,
        };
        if (settings.CheckEvery is { } every && !(every > 0 && double.IsFinite(every)))
        {
            throw new ArgumentOutOfRangeException("--check-every", $"--check-every must be a positive number of epochs (got {every}).");
        }

        var spec = MethodSpec.Parse(method);
        var (p, q) = spec.P is { } specP ? (specP, spec.Q!.Value) : ParsePq(settings.Pq);
        if (!(p > 0 && q > p))
        {
            throw new ArgumentException($"Method '{method}': the PQ-index orders need 0 < p < q.");
        }

        var options = PruningMethods.Apply(spec.Name, baseOptions, new MethodSettings
        {
            EpochsPerRound = settings.Epochs,
            Rate = settings.Rate,
            Epsilon = settings.Epsilon,
            P = p,
            Q = q,
            // The reference code retrains in "iterations" of two epochs and decides after each.
            CheckEvery = settings.CheckEvery ?? (reference ? 2 : null),
        }) with { Method = spec.Text };
        if (reference && options.Rewind.Kind == RewindKind.Init)
        {
            // The reference code's lth rewinds to the weights after warm-up too (its rewind-to-init check never fires).
            options = options with { Rewind = RewindPoint.Dense };
        }
        options.Validate();
        return options;
    });

    /// <summary>Reads <c>--pq P,Q</c>: two numbers with 0 &lt; p &lt; q.</summary>
    private static (double P, double Q) ParsePq(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double p)
            && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double q)
            && p > 0 && q > p)
        {
            return (p, q);
        }

        throw new ArgumentException($"--pq '{text}' is not valid: give the norm orders as P,Q with 0 < P < Q, e.g. 1,2 or 0.5,1.");
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

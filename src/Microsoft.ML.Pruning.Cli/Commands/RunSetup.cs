using System.Globalization;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Turns parsed settings into data, network and engine options; every input problem becomes a usage error
/// before any training starts, and nothing is created on disk until then.</summary>
internal static partial class RunSetup
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Dense epochs before the first round when --pretrain-epochs is not given, for a built-in architecture.</summary>
    public const int DefaultPretrainEpochs = 10;

    /// <param name="Split">The data.</param>
    /// <param name="Network">The network to prune: a built-in definition or an imported model.</param>
    /// <param name="NetworkName">How reports name it: the architecture (as --arch takes it) or the model's file name.</param>
    /// <param name="ParameterCount">Its trained parameters.</param>
    /// <param name="OutputDirectory">The output folder (checked, not created).</param>
    /// <param name="Tabular">The task and the standardisations of a table (see <see cref="TabularSetup"/>).</param>
    public sealed record Prepared(DataSplit Split, INetworkSource Network, string NetworkName, long ParameterCount, string OutputDirectory)
    {
        public TabularSetup.Tabular? Tabular { get; init; }
    }

    public static Prepared Prepare(PruneSettings settings)
    {
        if (settings.Model is not null && settings.ArchitectureGiven)
        {
            throw new CliUsageException("--model and --arch both name the network to prune; give one of them.");
        }

        CheckNumbers(settings);
        var fractions = Usage(() => SplitFractions.Parse(settings.Split));
        CheckSplitParts(settings.Split, fractions);
        // A model is read (and checked) before the data: a model the importer cannot take fails fast.
        var model = settings.Model is { } path ? Usage(() => OnnxModelSource.Load(path)) : null;
        if (model is not null && settings.Granularity == "channel")
        {
            CheckChannels(model);
        }

        Require(settings.Label is null || TabularSetup.IsCsv(settings), $"--label names a column of a csv: file; '{settings.Data}' has its own labels.");
        var csv = TabularSetup.CsvOptions(settings, InputShape(settings));
        var split = Usage(() => DataSource.Load(settings.Data, new DataLoadOptions { Split = fractions, Seed = settings.Seed, ClassCount = settings.ClassCount, Csv = csv }));
        CheckData(settings, split);
        var tabular = TabularSetup.Apply(settings, split);
        var prepared = model is null ? BuiltIn(settings, tabular) : Imported(model, tabular);
        string outDir = OutputFolder.Check(settings.OutputDirectory);
        return prepared with { OutputDirectory = outDir, Tabular = tabular };
    }

    /// <summary>--pretrain-epochs, or its default: none for an imported model (already trained), 10 for a built-in.</summary>
    public static int PretrainEpochs(PruneSettings settings) => settings.PretrainEpochs ?? (settings.Model is null ? DefaultPretrainEpochs : 0);

    private static Prepared BuiltIn(PruneSettings settings, TabularSetup.Tabular tabular)
    {
        var split = tabular.Split;
        var architecture = Usage(() => NetworkArchitecture.Parse(settings.Architecture));
        CheckImageShape(settings, architecture, split.Train);
        var definition = Usage(() => architecture.Define(split.Train.FeatureCount, split.Train.Shape, TabularSetup.OutputWidth(tabular)));
        return new Prepared(split, definition, architecture.ToString(), definition.ParameterCount, "");
    }

    /// <summary>The data must fit the model: one feature per input value, no more classes than it scores.</summary>
    private static Prepared Imported(OnnxModelSource model, TabularSetup.Tabular tabular)
    {
        var split = tabular.Split;
        string input = string.Create(C, $"input '{model.InputName}' [N, {string.Join(", ", model.InputShape)}]");
        Require(split.Train.FeatureCount == model.InputFeatures, string.Create(C,
            $"--data rows have {split.Train.FeatureCount} features but --model '{model.Name}' takes {model.InputFeatures} ({input}); give data with one feature per input value."));
        Require(split.Train.IsRegression || split.Train.ClassCount <= model.OutputWidth, string.Create(C,
            $"--data has {split.Train.ClassCount} classes but --model '{model.Name}' outputs {model.OutputWidth} class scores."));
        // A two-class table is a binary task (one logit) unless --task multiclass says otherwise.
        Require(tabular.Task is not { } task || task.OutputWidth == model.OutputWidth, string.Create(C,
            $"--model '{model.Name}' has {model.OutputWidth} outputs but the {tabular.Task?.Name} task of --data needs {tabular.Task?.OutputWidth}; give --task multiclass for a model that scores each class, or a model with {tabular.Task?.OutputWidth} output."));
        return new Prepared(split, model, model.Name, model.ParameterCount, "");
    }

    /// <summary>The engine options of one run of <paramref name="method"/> with <paramref name="seed"/>.</summary>
    public static IterativePrunerOptions Options(PruneSettings settings, string method, long seed, string? checkpointDirectory)
    {
        CheckNumbers(settings);
        return Usage(() =>
        {
            bool reference = settings.Protocol == "reference";
            // The reference code trains with plain SGD (lr 0.01, no momentum) on batches of 64 whatever --optimizer says.
            OptimizerOptions optimizer = reference ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.01, momentum: 0)
                : settings.Optimizer == "sgd" ? OptimizerOptions.Sgd(settings.LearningRate ?? 0.05)
                : OptimizerOptions.Adam(settings.LearningRate ?? 1.2e-3);
            var baseOptions = new IterativePrunerOptions
            {
                Rounds = settings.Rounds,
                PretrainEpochs = PretrainEpochs(settings),
                Scope = settings.Scope == "global" ? PruningScope.Global : PruningScope.Layerwise,
                Criterion = PruningCriterion.For(
                    settings.Granularity == "channel" ? PruningGranularity.Channel : PruningGranularity.Weight,
                    settings.ChannelNorm == "l2" ? Pruning.ChannelNorm.L2 : Pruning.ChannelNorm.L1),
                Training = new TrainingOptions { Optimizer = optimizer, BatchSize = reference ? 64 : settings.BatchSize },
                Seed = seed,
                CheckpointDirectory = checkpointDirectory,
                Resume = settings.Resume,
            };
            var spec = MethodSpec.Parse(method);
            var (p, q) = spec.P is { } specP ? (specP, spec.Q!.Value) : ParsePq(settings.Pq);
            Require(p > 0 && q > p, $"Method '{method}': the PQ-index orders need 0 < p < q.");
            var options = PruningMethods.Apply(spec.Name, baseOptions, new MethodSettings
            {
                EpochsPerRound = settings.Epochs,
                Rate = settings.Rate,
                Epsilon = settings.Epsilon,
                P = p,
                Q = q,
                // The reference code retrains in "iterations" of two epochs and decides after each.
                CheckEvery = settings.CheckEvery ?? (reference ? 2 : null),
                // ... and stops on a consistent flow whatever the accuracy.
                StopOnFlowAlone = reference,
                // The reference code averages the masked gradient over all of a layer's weights.
                GradientStatistic = reference ? GradientFlowStatistic.MeanOverAllWeights : MethodSettings.DefaultGradientStatistic,
            }) with { Method = spec.Text };
            if (reference && options.Rewind.Kind == RewindKind.Init)
            {
                // The reference code's lth rewinds to the weights after warm-up too (its rewind-to-init check never fires).
                options = options with { Rewind = RewindPoint.Dense };
            }

            options.Validate();
            return options;
        });
    }

    /// <summary>Reads <c>--pq P,Q</c>: two numbers with 0 &lt; p &lt; q.</summary>
    private static (double P, double Q) ParsePq(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, C, out double p)
            && double.TryParse(parts[1], NumberStyles.Float, C, out double q)
            && p > 0 && q > p)
        {
            return (p, q);
        }

        throw new CliUsageException($"--pq '{text}' is not valid: give the norm orders as P,Q with 0 < P < Q, e.g. 1,2 or 0.5,1.");
    }

    /// <summary>Numeric options, each refused with one message that names it and says its value once.</summary>
    private static void CheckNumbers(PruneSettings s)
    {
        Require(s.Rounds >= 0, $"--rounds must be 0 or more (got {s.Rounds}).");
        Require(s.PretrainEpochs is null or >= 0, $"--pretrain-epochs must be 0 or more (got {s.PretrainEpochs}).");
        Require(s.Epochs > 0, $"--epochs must be positive (got {s.Epochs}).");
        Require(s.Rate > 0 && s.Rate < 1, string.Create(C, $"--rate must be in (0, 1), the fraction of surviving weights removed per round (got {s.Rate})."));
        Require(s.Epsilon is null || (s.Epsilon > 0 && double.IsFinite(s.Epsilon.Value)), string.Create(C, $"--epsilon must be a positive number (got {s.Epsilon})."));
        Require(s.BatchSize > 0, $"--batch-size must be positive (got {s.BatchSize}).");
        Require(s.LearningRate is null || (s.LearningRate > 0 && double.IsFinite(s.LearningRate.Value)), string.Create(C, $"--lr must be a positive number (got {s.LearningRate})."));
        Require(s.ClassCount is null || s.ClassCount >= 2, $"--classes must be at least 2 (got {s.ClassCount}).");
        Require(s.CheckEvery is null || (s.CheckEvery > 0 && double.IsFinite(s.CheckEvery.Value)), string.Create(C, $"--check-every must be a positive number of epochs (got {s.CheckEvery})."));
    }

    /// <summary>prune and bench stop on validation rows and report on test rows: a split must leave rows for both.</summary>
    private static void CheckSplitParts(string text, SplitFractions fractions)
    {
        foreach (var (part, fraction) in new[] { ("validation", fractions.Validation), ("test", fractions.Test) })
        {
            Require(fraction > 0, $"--split {text} leaves no {part} rows; training, validation and test each need a positive fraction (e.g. --split 0.7,0.1,0.2).");
        }
    }

    private static ImageShape? InputShape(PruneSettings settings)
    {
        if (settings.InputShape is null)
        {
            return null;
        }

        Require(settings.Data.TrimStart().StartsWith("csv:", StringComparison.OrdinalIgnoreCase),
            $"--input-shape applies to csv: data only; '{settings.Data}' carries its own image shape.");
        return Usage(() => ImageShape.Parse(settings.InputShape));
    }

    /// <summary>Every part has rows, and the training rows more than one class (a one-class classifier is 100 % right and learns nothing).</summary>
    private static void CheckData(PruneSettings settings, DataSplit split)
    {
        foreach (var (part, set) in new[] { ("training", split.Train), ("validation", split.Validation), ("test", split.Test) })
        {
            Require(set.Count > 0, $"Data '{settings.Data}' gives no {part} rows (--split {settings.Split}); training, validation and test each need rows.");
        }

        if (split.Train.IsRegression)
        {
            return; // real-valued targets: no classes to count
        }

        var train = split.Train.ClassHistogram();
        int present = train.Count(n => n > 0);
        if (present >= 2)
        {
            return;
        }

        int only = Array.FindIndex(train, n => n > 0);
        bool elsewhere = new[] { split.Validation, split.Test }.Any(set => set.ClassHistogram().Where((n, k) => n > 0 && k != only).Any());
        throw new CliUsageException(elsewhere
            ? $"Data '{settings.Data}': the training rows hold only class {only} while the validation or test rows hold others; a classifier needs at least two classes to learn from. " +
              $"Are the rows sorted by label? --split {settings.Split} takes them in file order: shuffle them."
            : $"Data '{settings.Data}' holds a single class ({only}); a classifier needs at least two.");
    }

    /// <summary>A convolutional network needs image rows: name the option that gives a CSV file's layout.</summary>
    private static void CheckImageShape(PruneSettings settings, NetworkArchitecture architecture, InMemoryDataset train)
    {
        if (!architecture.NeedsImageShape || train.Shape is not null)
        {
            return;
        }

        int f = train.FeatureCount;
        string example = Square(f) is { } side ? $"--input-shape 1,{side},{side}"
            : f % 3 == 0 && Square(f / 3) is { } rgb ? $"--input-shape 3,{rgb},{rgb}"
            : "--input-shape C,H,W";
        throw new CliUsageException(
            $"--arch {settings.Architecture} is convolutional and needs image rows, but the rows of '{settings.Data}' are {f} plain features: " +
            $"give their layout with --input-shape C,H,W (C×H×W = {f}, e.g. {example}).");
    }

    private static int? Square(int n)
    {
        int root = (int)Math.Round(Math.Sqrt(n));
        return root * root == n ? root : null;
    }

    /// <summary>--granularity channel needs a channel group the analysis of the model's graph can follow.</summary>
    private static void CheckChannels(OnnxModelSource model)
    {
        try
        {
            PruningCriterion.Channels().CheckNetwork(model);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"--granularity channel: --model {e.Message.Split(" (Parameter")[0].Replace("weight granularity", "--granularity weight", StringComparison.Ordinal)}", e);
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new CliUsageException(message);
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
            throw new CliUsageException(UsageMessage(e), e);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" ?\(Parameter '[^']*'\)")]
    private static partial System.Text.RegularExpressions.Regex ParameterSuffix();

    /// <summary>
    /// An exception's message without what the runtime appends for programmers: "(Parameter 'x')", and for an
    /// out-of-range argument "Actual value was v." on its own line (kept as "(got v)" when the text does not say it).
    /// </summary>
    internal static string UsageMessage(Exception e)
    {
        string message = e.Message;
        string? actual = null;
        if (e is ArgumentOutOfRangeException { ActualValue: { } value })
        {
            actual = Convert.ToString(value, C);
            int appended = message.LastIndexOf(Environment.NewLine, StringComparison.Ordinal);
            if (appended >= 0)
            {
                message = message[..appended];
            }
        }

        // Also inside messages that quote an inner exception's.
        message = ParameterSuffix().Replace(message, "").Trim();
        if (actual is not null && !message.Contains(actual, StringComparison.Ordinal))
        {
            message = $"{message.TrimEnd('.')} (got {actual}).";
        }

        return message;
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tasks;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>
/// What a table on the command line (<c>--data csv:FILE</c>) adds to a run: the task (from <c>--task</c>, or from the
/// labels: values are regression, two classes binary, more multiclass) and the standardisation of its features (and of
/// regression targets), measured on the training rows and written into the exported ONNX graph so that the model takes
/// raw features and gives raw values.
/// </summary>
internal static class TabularSetup
{
    /// <summary>The tasks <c>--task</c> accepts.</summary>
    public static readonly string[] Tasks = { "multiclass", "binary", "regression" };

    /// <param name="Split">The data as the network trains on it (standardised where asked).</param>
    /// <param name="Task">The task; null leaves it to the engine (multiclass, or regression for values).</param>
    /// <param name="Features">The feature standardisation, if any.</param>
    /// <param name="Targets">The regression target standardisation, if any.</param>
    public sealed record Tabular(DataSplit Split, PredictionTask? Task, Standardization? Features, Standardization? Targets);

    /// <summary>True for a <c>csv:</c> data spec.</summary>
    public static bool IsCsv(PruneSettings settings) => settings.Data.TrimStart().StartsWith("csv:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the CSV options --label and --task ask for.</summary>
    public static CsvReadOptions CsvOptions(PruneSettings settings, ImageShape? shape) => new()
    {
        Shape = shape,
        LabelColumnName = settings.Label,
        Regression = settings.Task is null ? null : settings.Task == "regression",
    };

    /// <summary>Picks the task and standardises a table's columns; other data passes through (with <c>--task</c> checked).</summary>
    public static Tabular Apply(PruneSettings settings, DataSplit split)
    {
        var task = Task(settings, split);
        // An imported model was trained on its own inputs: it gets the rows as they are.
        if (!IsCsv(settings) || !settings.Standardize || settings.Model is not null)
        {
            return new Tabular(split, task, null, null);
        }

        var features = Standardization.OfFeatures(split.Train);
        split = Standardization.Apply(split, features.ApplyToFeatures);
        Standardization? targets = null;
        if (split.Train.IsRegression)
        {
            targets = Standardization.OfTargets(split.Train);
            split = Standardization.Apply(split, targets.ApplyToTargets);
        }

        return new Tabular(split, task, features, targets);
    }

    /// <summary>The pruner with the table's task (binary is always asked for; the engine tells the others from the data).</summary>
    public static IterativePruner WithTask(IterativePruner pruner, Tabular? tabular) =>
        tabular?.Task is { } task ? new IterativePruner(pruner.Options with { Task = task }) : pruner;

    /// <summary>The export options with the table's task head and its standardisation steps.</summary>
    public static OnnxExportOptions ExportOptions(OnnxExportOptions options, Tabular? tabular) => tabular is null ? options : options with
    {
        Task = tabular.Task,
        InputStandardization = tabular.Features,
        OutputStandardization = tabular.Targets,
    };

    /// <summary>The task, as the progress lines name it.</summary>
    public static string Describe(DataSplit split, Tabular? tabular) => tabular?.Task?.Name switch
    {
        "regression" => "regression" + (tabular.Targets is null ? "" : ", standardised features and targets"),
        "binary" => "binary classification" + (tabular.Features is null ? "" : ", standardised features"),
        _ => $"{split.Train.ClassCount} classes" + (tabular?.Features is null ? "" : ", standardised features"),
    };

    /// <summary>The output width the task needs from a built-in network.</summary>
    public static int OutputWidth(Tabular tabular) => tabular.Task?.OutputWidth ?? tabular.Split.Train.ClassCount;

    private static PredictionTask? Task(PruneSettings settings, DataSplit split)
    {
        var train = split.Train;
        switch (settings.Task)
        {
            case "regression":
                return PredictionTask.Regression;
            case "binary":
                Require(train.ClassCount == 2, $"--task binary needs a label with two classes, but '{train.Name}' has {train.ClassCount}.");
                return PredictionTask.Binary;
            case "multiclass":
                Require(!train.IsRegression, $"--task multiclass needs class labels, but '{train.Name}' holds values.");
                return null;
            default:
                // From the values: a table's two classes are a yes/no question.
                return train.IsRegression ? PredictionTask.Regression : IsCsv(settings) && train.ClassCount == 2 ? PredictionTask.Binary : null;
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new CliUsageException(message);
        }
    }
}

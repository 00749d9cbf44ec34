using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// Trains a neural network on the label and feature columns, prunes it iteratively (IMP with lottery-ticket
/// rewinding, stopped early by ICP by default), exports the sparse network to ONNX and returns a
/// <see cref="MagnitudePruningTransformer"/> that scores with it through ML.NET's OnnxTransformer.
/// Made by <c>mlContext.Transforms.PruneIterative(...)</c>.
/// </summary>
/// <remarks>
/// The label column's type picks the task, and the output columns follow ML.NET's conventions for it:
/// <list type="bullet">
/// <item>a key (multiclass): <c>Score</c> (softmax probabilities, a vector of float with one slot per class) and
/// <c>PredictedLabel</c> (the arg-max class, a key with the label's key values; ONNX Runtime hands ML.NET one value
/// per row, so the column is a one-slot vector of that key);</item>
/// <item>Boolean (binary): <c>Score</c> (the raw logit), <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c>
/// (Boolean), all scalars, as <c>mlContext.BinaryClassification.Evaluate</c> reads them;</item>
/// <item>Single (regression): <c>Score</c> (the predicted value, a scalar), as <c>mlContext.Regression.Evaluate</c>
/// reads it.</item>
/// </list>
/// A binary or regression model saved with <c>mlContext.Model.Save</c> needs one call before
/// <c>mlContext.Model.Load</c> in the loading app (see <see cref="ScalarScoreMapping.Register"/>); a multiclass model
/// needs none.
/// </remarks>
public sealed class MagnitudePruningEstimator : IEstimator<MagnitudePruningTransformer>
{
    /// <summary>The name of the score column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The name of the probability column (binary classification).</summary>
    public const string ProbabilityColumnName = "Probability";

    /// <summary>The name of the predicted label column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private readonly IHostEnvironment _environment;

    internal MagnitudePruningEstimator(IHostEnvironment environment, IterativePruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        Options = options;
    }

    /// <summary>The options this estimator trains with.</summary>
    public IterativePruningOptions Options { get; }

    /// <summary>Checks the input columns and describes the output: input columns plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it and the expected type).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        if (!columns.TryGetValue(Options.LabelColumnName, out var label))
        {
            throw new ArgumentException($"The label column '{Options.LabelColumnName}' is not in the input schema.", nameof(inputSchema));
        }

        string kind = TaskOf(label);
        if (!columns.TryGetValue(Options.FeatureColumnName, out var features))
        {
            throw new ArgumentException($"The feature column '{Options.FeatureColumnName}' is not in the input schema.", nameof(inputSchema));
        }

        if (features.Kind == SchemaShape.Column.VectorKind.VariableVector)
        {
            throw new ArgumentException($"The feature column '{Options.FeatureColumnName}' is a variable-size vector; PruneIterative needs a known size (e.g. [VectorType(784)] or a Concatenate of scalar columns).", nameof(inputSchema));
        }

        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException($"The feature column '{Options.FeatureColumnName}' must be a known-size vector of Single but is {features.ItemType} ({features.Kind}).", nameof(inputSchema));
        }

        // SchemaShape.Column has no public constructor: describe the new columns with a schema and convert it the way
        // ML.NET's own estimators do (SchemaShape.Create, not public either).
        var added = new DataViewSchema.Builder();
        switch (kind)
        {
            case "binary":
                added.AddColumn(ScoreColumnName, NumberDataViewType.Single);
                added.AddColumn(ProbabilityColumnName, NumberDataViewType.Single);
                added.AddColumn(PredictedLabelColumnName, BooleanDataViewType.Instance);
                break;
            case "regression":
                added.AddColumn(ScoreColumnName, NumberDataViewType.Single);
                break;
            default:
                added.AddColumn(ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, 1));
                added.AddColumn(PredictedLabelColumnName, new VectorDataViewType(new KeyDataViewType(typeof(uint), 1), 1));
                break;
        }

        var create = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })
            ?? throw new InvalidOperationException("This version of ML.NET has no SchemaShape.Create(DataViewSchema).");
        foreach (var column in (SchemaShape)create.Invoke(null, new object[] { added.ToSchema() })!)
        {
            columns[column.Name] = column;
        }

        return new SchemaShape(columns.Values);
    }

    /// <summary>The task a label column's type picks (multiclass, binary or regression).</summary>
    /// <exception cref="ArgumentException">Another type (the message names the column and the accepted types).</exception>
    private string TaskOf(SchemaShape.Column label)
    {
        if (label.Kind == SchemaShape.Column.VectorKind.Scalar)
        {
            if (label.IsKey)
            {
                return "multiclass";
            }

            if (label.ItemType is BooleanDataViewType)
            {
                return "binary";
            }

            if (label.ItemType == NumberDataViewType.Single)
            {
                return "regression";
            }
        }

        string type = label.Kind == SchemaShape.Column.VectorKind.Scalar ? $"{label.ItemType}" : $"a vector of {label.ItemType}";
        throw new ArgumentException(
            $"The label column '{Options.LabelColumnName}' must be {DataViewReader.AcceptedLabelTypes} but is {type}.", "inputSchema");
    }

    /// <summary>Reads the data once, trains and prunes, exports ONNX and returns the scoring transformer.</summary>
    /// <exception cref="ArgumentException">Bad input (missing or mistyped column, wrong-size or non-finite features, empty
    /// data, a single class, a network that cannot take the data) — all checked before any training.</exception>
    /// <exception cref="OperationCanceledException">Cancelled through <see cref="IterativePruningOptions.CancellationToken"/>.</exception>
    public MagnitudePruningTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        var ch = _environment.Start(nameof(MagnitudePruningEstimator));
        using (var probe = input.GetRowCursor(Array.Empty<DataViewSchema.Column>()))
        {
            if (!probe.MoveNext())
            {
                throw new ArgumentException("The training data has no rows.", nameof(input));
            }
        }

        var columns = DataViewReader.CheckSchema(input.Schema, o.LabelColumnName, o.FeatureColumnName);
        int featureCount = columns.FeatureCount, classCount = columns.ClassCount;
        var definition = Network(o, columns);
        var shape = o.Model is null ? o.InputShape : null; // an imported model unfolds rows to its own input shape
        var all = DataViewReader.Read(input, o.LabelColumnName, o.FeatureColumnName, shape, "training data");
        if (columns.Kind != "regression" && all.ClassHistogram().Count(n => n > 0) < 2)
        {
            throw new ArgumentException(columns.Kind == "binary"
                ? $"The label column '{o.LabelColumnName}' holds only one value (all true or all false); binary classification needs both."
                : $"The label column '{o.LabelColumnName}' holds a single class; classification needs at least two.", nameof(input));
        }

        // Extra data bypasses the pipeline's transforms: refuse a label mapping other than the training data's before
        // training, as class i would otherwise be scored against another class's rows.
        CheckExtraData(input.Schema, o.ValidationData, o, columns, "validation data", nameof(IterativePruningOptions.ValidationData));
        CheckExtraData(input.Schema, o.TestData, o, columns, "test data", nameof(IterativePruningOptions.TestData));
        DataSplit split;
        if (o.ValidationData is { } validationView)
        {
            var validation = DataViewReader.Read(validationView, o.LabelColumnName, o.FeatureColumnName, shape, "validation data");
            split = new DataSplit(all, validation, o.TestData is null ? validation : ReadTest());
        }
        else
        {
            var order = SeededRandom.For(o.Seed, 0x7A11).Permutation(all.Count);
            double fraction = o.EffectiveValidationFraction(all.Count);
            int validationCount = Math.Max(1, (int)Math.Round(all.Count * fraction));
            if (validationCount >= all.Count)
            {
                throw new ArgumentException($"The training data has {all.Count} rows: too few to hold out {fraction:P0} for validation.", nameof(input));
            }

            var validation = all.Select(order.Take(validationCount).Order().ToArray(), "validation data (held out)");
            var train = all.Select(order.Skip(validationCount).Order().ToArray(), "training data");
            split = new DataSplit(train, validation, o.TestData is null ? validation : ReadTest());
        }

        // Regression targets are trained standardised (a network's initial outputs are near 0, the targets may be in the
        // hundreds); the exported graph maps its output back, so Score is a raw value. R² does not change.
        Standardization? targetScaling = null;
        if (columns.Kind == "regression" && o.Model is null)
        {
            targetScaling = Standardization.OfTargets(split.Train);
            split = Standardization.Apply(split, targetScaling.ApplyToTargets);
        }

        ch.Info(MessageSensitivity.None, $"PruneIterative: {split.Train.Count} training, {split.Validation.Count} validation rows, {featureCount} features, {(columns.Kind == "multiclass" ? $"{classCount} classes" : columns.Kind)}; {definition.Name} with {definition.PrunableLayers.Sum(l => l.WeightCount):N0} prunable weights.");
        var engineOptions = o.ToEngineOptions(all.Count, split.Train.Count) with { Task = columns.Task };
        if (SmallTableDefaults.Applies(all.Count))
        {
            ch.Info(MessageSensitivity.None, $"PruneIterative: a small table ({all.Count} rows < {SmallTableDefaults.Rows}): options left at their defaults count training in optimizer steps ({engineOptions.PretrainEpochs} dense epochs, {engineOptions.Stopping.Name}).");
        }

        var progress = new LoggingProgress(ch, o.Progress);
        using var result = new IterativePruner(engineOptions).Run(definition, split, progress, o.CancellationToken);
        var report = result.Report;
        var exportOptions = new OnnxExportOptions
        {
            Storage = o.Storage,
            Compact = o.Granularity == PruningGranularity.Channel,
            Metadata = OnnxExporter.MetadataFrom(report, result.Masks),
            Task = columns.Task,
            OutputStandardization = targetScaling,
        };
        // An imported model keeps its own graph for SaveOnnx; ML.NET scores through the standard interface.
        var onnx = OnnxExporter.Export(result.Network, exportOptions);
        var scoring = o.Model is null ? onnx : OnnxExporter.ExportForScoring(result.Network, exportOptions);
        ch.Info(MessageSensitivity.None, $"PruneIterative done: sparsity {report.Final!.Sparsity:P1}, validation {report.Metric} {report.FormatMetric(report.Final.ValMetric)} (dense {report.FormatMetric(report.Dense!.ValMetric)}), {report.TotalEpochs:0.##} epochs.");
        ch.Dispose();
        return MagnitudePruningTransformer.Create(input, o, columns.Kind, report, onnx, scoring);

        InMemoryDataset ReadTest() => DataViewReader.Read(o.TestData!, o.LabelColumnName, o.FeatureColumnName, shape, "test data");
    }

    /// <summary>The network to prune: the imported model (checked against the columns) or the architecture's definition.</summary>
    private static INetworkSource Network(IterativePruningOptions o, DataViewReader.Columns columns)
    {
        int featureCount = columns.FeatureCount, classCount = columns.OutputWidth;
        if (o.Model is not { } model)
        {
            var definition = o.Architecture.Define(featureCount, o.InputShape, classCount);
            OnnxExporter.EnsureExportable(definition);
            return definition;
        }

        if (featureCount != model.InputFeatures)
        {
            throw new ArgumentException(
                $"The feature column '{o.FeatureColumnName}' holds {featureCount} values but the model '{model.Name}' takes {model.InputFeatures} "
                + $"(input '{model.InputName}' [N, {string.Join(", ", model.InputShape)}]).", nameof(IterativePruningOptions.Model));
        }

        if (columns.Kind != "multiclass" && model.OutputWidth != 1)
        {
            throw new ArgumentException(
                $"The label column '{o.LabelColumnName}' asks for {columns.Kind} ({columns.Kind} needs one output) but the model '{model.Name}' outputs {model.OutputWidth} values.",
                nameof(IterativePruningOptions.Model));
        }

        if (classCount > model.OutputWidth)
        {
            throw new ArgumentException(
                $"The label column '{o.LabelColumnName}' has {classCount} classes (keys) but the model '{model.Name}' outputs {model.OutputWidth} class scores.",
                nameof(IterativePruningOptions.Model));
        }

        return model;
    }

    /// <summary>Checks the columns of validation or test data, and that its label keys are the training data's.</summary>
    private static void CheckExtraData(DataViewSchema training, IDataView? other, IterativePruningOptions o, DataViewReader.Columns columns, string what, string option)
    {
        if (other is null)
        {
            return;
        }

        string labelColumn = o.LabelColumnName;
        var theirColumns = DataViewReader.CheckSchema(other.Schema, labelColumn, o.FeatureColumnName, what);
        if (theirColumns.Kind != columns.Kind)
        {
            throw new ArgumentException(
                $"The label column '{labelColumn}' of the {what} ({option}) is {other.Schema[labelColumn].Type} ({theirColumns.Kind}) but the training data's is {training[labelColumn].Type} ({columns.Kind}).", option);
        }

        if (columns.Kind != "multiclass")
        {
            return;
        }

        var mine = training[labelColumn];
        var theirs = other.Schema[labelColumn];
        ulong trainCount = ((KeyDataViewType)mine.Type).Count, otherCount = ((KeyDataViewType)theirs.Type).Count;
        const string fix = "Map its labels with the MapValueToKey fitted on the training data, so both share one key mapping.";
        if (trainCount != otherCount)
        {
            throw new ArgumentException(
                $"The label column '{labelColumn}' of the {what} ({option}) has {otherCount} classes (keys) but the training data has {trainCount}, so the network has {trainCount} outputs. {fix}", option);
        }

        var trainValues = KeyValues(mine);
        var otherValues = KeyValues(theirs);
        if (trainValues is null || otherValues is null)
        {
            return;
        }

        for (int i = 0; i < trainValues.Length; i++)
        {
            if (trainValues[i] != otherValues[i])
            {
                throw new ArgumentException(
                    $"The label column '{labelColumn}' of the {what} ({option}) maps its values to keys differently from the training data: key {i + 1} is '{otherValues[i]}' there but '{trainValues[i]}' in the training data. {fix}", option);
            }
        }
    }

    private static string[]? KeyValues(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        label.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    /// <summary>Forwards engine progress to the caller and, once per epoch, to ML.NET's log.</summary>
    private sealed class LoggingProgress(IChannel channel, IProgress<PruningProgress>? inner) : IProgress<PruningProgress>
    {
        public void Report(PruningProgress value)
        {
            inner?.Report(value);
            if (value.IsCheck)
            {
                string where = value.Phase == "round" ? $"round {value.Round}/{value.Rounds}" : value.Phase;
                string flow = value.FlowDistance is { } f ? $", flow distance {f:F4}" : "";
                channel.Info(MessageSensitivity.None, $"PruneIterative {where} epoch {value.Epoch}: sparsity {value.Sparsity:P1}, loss {value.TrainLoss:F4}, validation {value.MetricName} {value.ValMetric:F4}{flow}");
            }
        }
    }
}

using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tasks;

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// Reads an ML.NET <see cref="IDataView"/> (a label column and a known-size float vector of features) into the engine's
/// <see cref="InMemoryDataset"/>, in one pass, with errors that name the column, the row and what was expected. The
/// label column's type picks the task: a key is multiclass classification, a Boolean binary classification, a Single
/// regression.
/// </summary>
internal static class DataViewReader
{
    /// <summary>The label types accepted, as error messages list them.</summary>
    public const string AcceptedLabelTypes =
        "a key (multiclass classification: MapValueToKey), Boolean (binary classification) or Single (regression)";

    /// <summary>What the label column says about the task.</summary>
    /// <param name="Kind">The task's name: multiclass, binary or regression.</param>
    /// <param name="ClassCount">Classes: the key count for multiclass, 2 for binary, 0 for regression.</param>
    /// <param name="FeatureCount">Values in the feature vector.</param>
    public readonly record struct Columns(string Kind, int ClassCount, int FeatureCount)
    {
        /// <summary>The width of the network's raw output: one per class for multiclass, one otherwise.</summary>
        public int OutputWidth => Kind == "multiclass" ? ClassCount : 1;

        /// <summary>The engine's task; multiclass needs two or more classes (checked on the data first).</summary>
        public PredictionTask Task => Kind switch
        {
            "binary" => PredictionTask.Binary,
            "regression" => PredictionTask.Regression,
            _ => PredictionTask.Multiclass(ClassCount),
        };
    }

    /// <summary>Checks the label and feature columns of <paramref name="schema"/> and tells the task from the label's type.</summary>
    /// <param name="schema">The schema of the data.</param>
    /// <param name="labelColumn">A UInt32 key, Boolean or Single column.</param>
    /// <param name="featureColumn">A known-size vector of float.</param>
    /// <param name="what">What the data is, for messages: "data" or "training data" for the data the pipeline is fitted on,
    /// anything else (e.g. "test data") for extra data handed in beside it.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it and the accepted types).</exception>
    public static Columns CheckSchema(DataViewSchema schema, string labelColumn, string featureColumn, string what = "data")
    {
        ArgumentNullException.ThrowIfNull(schema);
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"The label column '{labelColumn}' is not in the {what} (columns: {string.Join(", ", schema.Select(c => c.Name))}).", nameof(labelColumn));
        var features = schema.GetColumnOrNull(featureColumn)
            ?? throw new ArgumentException($"The feature column '{featureColumn}' is not in the {what} (columns: {string.Join(", ", schema.Select(c => c.Name))}).", nameof(featureColumn));
        var (kind, classCount) = LabelKind(label, what);
        if (features.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException($"The feature column '{featureColumn}' of the {what} must be a vector of Single (float) but is {features.Type}.", nameof(featureColumn));
        }

        if (vector.Size == 0)
        {
            throw new ArgumentException($"The feature column '{featureColumn}' of the {what} is a variable-size vector; PruneIterative needs a known size (e.g. [VectorType(784)] or a Concatenate of scalar columns).", nameof(featureColumn));
        }

        return new Columns(kind, classCount, vector.Size);
    }

    /// <summary>Reads every row: key labels become key − 1 (0-based classes), Booleans 0 and 1, Singles the targets.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="labelColumn">A UInt32 key, Boolean or Single column.</param>
    /// <param name="featureColumn">A known-size vector of float.</param>
    /// <param name="shape">Image layout of the features, if any (its size must match the vector size).</param>
    /// <param name="what">What the data is, for messages (e.g. "training data").</param>
    /// <exception cref="ArgumentException">Empty data, a missing label (key 0, or a NaN value), or a NaN/infinite
    /// feature; the message names the row.</exception>
    public static InMemoryDataset Read(IDataView data, string labelColumn, string featureColumn, ImageShape? shape, string what = "data")
    {
        ArgumentNullException.ThrowIfNull(data);
        var columns = CheckSchema(data.Schema, labelColumn, featureColumn, what);
        int featureCount = columns.FeatureCount;
        if (shape is { } s && s.Size != featureCount)
        {
            throw new ArgumentException($"InputShape {s} holds {s.Size} values but the feature column '{featureColumn}' of the {what} has {featureCount}.", nameof(shape));
        }

        var label = data.Schema[labelColumn];
        var features = data.Schema[featureColumn];
        var featureValues = new List<float>();
        var labels = new List<long>();
        var targets = new List<float>();
        using (var cursor = data.GetRowCursor(new[] { label, features }))
        {
            var readLabel = LabelReader(cursor, label, columns.Kind, labelColumn, what);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            VBuffer<float> vector = default;
            var dense = new float[featureCount];
            long row = 0;
            while (cursor.MoveNext())
            {
                float value = readLabel(row);
                if (columns.Kind == "regression")
                {
                    targets.Add(value);
                }
                else
                {
                    labels.Add((long)value);
                }

                getFeatures(ref vector);
                if (vector.Length != featureCount)
                {
                    throw new ArgumentException($"Row {row} of the {what} has {vector.Length} features in column '{featureColumn}'; expected {featureCount}.", nameof(data));
                }

                vector.CopyTo(dense);
                for (int f = 0; f < featureCount; f++)
                {
                    if (!float.IsFinite(dense[f]))
                    {
                        throw new ArgumentException($"Row {row} of the {what} has {dense[f]} at feature {f} of column '{featureColumn}'; features must be finite numbers.", nameof(data));
                    }
                }

                featureValues.AddRange(dense);
                row++;
            }

            if (row == 0)
            {
                throw new ArgumentException($"The {what} has no rows.", nameof(data));
            }
        }

        return columns.Kind == "regression"
            ? new InMemoryDataset(featureValues.ToArray(), targets.ToArray(), featureCount, shape, what)
            : new InMemoryDataset(featureValues.ToArray(), labels.ToArray(), featureCount, shape, columns.ClassCount, what);
    }

    private static (string Kind, int ClassCount) LabelKind(DataViewSchema.Column label, string what)
    {
        switch (label.Type)
        {
            case KeyDataViewType key when key.RawType == typeof(uint):
                if (key.Count > int.MaxValue || key.Count < 1)
                {
                    throw new ArgumentException($"The label column '{label.Name}' of the {what} has a key count of {key.Count}; expected between 1 and {int.MaxValue}.", "labelColumn");
                }

                return ("multiclass", (int)key.Count);
            case BooleanDataViewType:
                return ("binary", 2);
            case NumberDataViewType number when number == NumberDataViewType.Single:
                return ("regression", 0);
        }

        // Extra data does not go through the pipeline's transforms, so it needs the training data's mapping applied.
        string fix = what is "data" or "training data"
            ? label.Type is TextDataViewType
                ? $"For classes given as text add mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\") before PruneIterative."
                : $"Convert it first (e.g. MapValueToKey for classes, ConvertType to Single for values)."
            : $"Pass the {what} through the transforms fitted before PruneIterative (e.g. the MapValueToKey fitted on the training data), so both share one mapping.";
        throw new ArgumentException(
            $"The label column '{label.Name}' of the {what} must be {AcceptedLabelTypes} but is {label.Type}. {fix}", "labelColumn");
    }

    /// <summary>A reader of the current row's label as a float: the 0-based class, 0/1, or the target value.</summary>
    private static Func<long, float> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column label, string kind, string labelColumn, string what)
    {
        switch (kind)
        {
            case "multiclass":
            {
                var get = cursor.GetGetter<uint>(label);
                uint key = 0;
                return row =>
                {
                    get(ref key);
                    return key != 0 ? key - 1
                        : throw new ArgumentException($"Row {row} of the {what} has a missing label (key 0) in column '{labelColumn}'.", "data");
                };
            }

            case "binary":
            {
                var get = cursor.GetGetter<bool>(label);
                bool value = false;
                return _ =>
                {
                    get(ref value);
                    return value ? 1 : 0;
                };
            }

            default:
            {
                var get = cursor.GetGetter<float>(label);
                float value = 0;
                return row =>
                {
                    get(ref value);
                    return float.IsFinite(value) ? value
                        : throw new ArgumentException($"Row {row} of the {what} has {value} as its label in column '{labelColumn}'; regression targets must be finite numbers.", "data");
                };
            }
        }
    }
}

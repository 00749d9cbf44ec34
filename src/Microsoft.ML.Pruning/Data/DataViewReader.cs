using Microsoft.ML.Data;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Reads an ML.NET <see cref="IDataView"/> (key-typed label, known-size float vector features) into an
/// <see cref="InMemoryDataset"/>, in one pass, with errors that name the column, the row and what was expected.
/// </summary>
public static class DataViewReader
{
    /// <summary>Checks the label and feature columns of <paramref name="schema"/>; returns (class count, feature count).</summary>
    /// <param name="schema">The schema of the data.</param>
    /// <param name="labelColumn">A UInt32 key column.</param>
    /// <param name="featureColumn">A known-size vector of float.</param>
    /// <param name="what">What the data is, for messages: "data" or "training data" for the data the pipeline is fitted on,
    /// anything else (e.g. "test data") for extra data handed in beside it.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type (the message names it and the expected type).</exception>
    public static (int ClassCount, int FeatureCount) CheckSchema(DataViewSchema schema, string labelColumn, string featureColumn, string what = "data")
    {
        ArgumentNullException.ThrowIfNull(schema);
        var label = schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"The label column '{labelColumn}' is not in the {what} (columns: {string.Join(", ", schema.Select(c => c.Name))}).", nameof(labelColumn));
        var features = schema.GetColumnOrNull(featureColumn)
            ?? throw new ArgumentException($"The feature column '{featureColumn}' is not in the {what} (columns: {string.Join(", ", schema.Select(c => c.Name))}).", nameof(featureColumn));
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            // Extra data does not go through the pipeline's transforms, so it needs the training data's key mapping applied.
            string fix = what is "data" or "training data"
                ? $"Add mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumn}\") before PruneIterative."
                : $"Pass the {what} through the transforms fitted before PruneIterative (e.g. the MapValueToKey fitted on the training data), so both share one key mapping.";
            throw new ArgumentException(
                $"The label column '{labelColumn}' of the {what} must be a key type (UInt32 key, as MapValueToKey makes) but is {label.Type}. {fix}", nameof(labelColumn));
        }

        if (features.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException($"The feature column '{featureColumn}' of the {what} must be a vector of Single (float) but is {features.Type}.", nameof(featureColumn));
        }

        if (vector.Size == 0)
        {
            throw new ArgumentException($"The feature column '{featureColumn}' of the {what} is a variable-size vector; PruneIterative needs a known size (e.g. [VectorType(784)] or a Concatenate of scalar columns).", nameof(featureColumn));
        }

        if (key.Count > int.MaxValue || key.Count < 1)
        {
            throw new ArgumentException($"The label column '{labelColumn}' of the {what} has a key count of {key.Count}; expected between 1 and {int.MaxValue}.", nameof(labelColumn));
        }

        return ((int)key.Count, vector.Size);
    }

    /// <summary>Reads every row. Labels become key − 1 (0-based classes).</summary>
    /// <param name="data">The rows.</param>
    /// <param name="labelColumn">A UInt32 key column.</param>
    /// <param name="featureColumn">A known-size vector of float.</param>
    /// <param name="shape">Image layout of the features, if any (its size must match the vector size).</param>
    /// <param name="what">What the data is, for messages (e.g. "training data").</param>
    /// <exception cref="ArgumentException">Empty data, a missing label, or a NaN/infinite feature; the message names the row.</exception>
    public static InMemoryDataset Read(IDataView data, string labelColumn, string featureColumn, ImageShape? shape, string what = "data")
    {
        ArgumentNullException.ThrowIfNull(data);
        var (classCount, featureCount) = CheckSchema(data.Schema, labelColumn, featureColumn, what);
        if (shape is { } s && s.Size != featureCount)
        {
            throw new ArgumentException($"InputShape {s} holds {s.Size} values but the feature column '{featureColumn}' of the {what} has {featureCount}.", nameof(shape));
        }

        var label = data.Schema[labelColumn];
        var features = data.Schema[featureColumn];
        var featureValues = new List<float>();
        var labels = new List<long>();
        using (var cursor = data.GetRowCursor(new[] { label, features }))
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            uint key = 0;
            VBuffer<float> vector = default;
            var dense = new float[featureCount];
            long row = 0;
            while (cursor.MoveNext())
            {
                getLabel(ref key);
                if (key == 0)
                {
                    throw new ArgumentException($"Row {row} of the {what} has a missing label (key 0) in column '{labelColumn}'.", nameof(data));
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
                labels.Add(key - 1);
                row++;
            }
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException($"The {what} has no rows.", nameof(data));
        }

        return new InMemoryDataset(featureValues.ToArray(), labels.ToArray(), featureCount, shape, classCount, what);
    }
}

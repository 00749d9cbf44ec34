namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Per-column standardisation, <c>(x − Mean) / Scale</c>, with the mean and standard deviation measured on training
/// rows only. Used for the features of a table (the exported ONNX graph then starts with the same <c>Sub</c>/<c>Div</c>,
/// so the model takes raw features) and for regression targets (the graph ends with <c>Mul</c>/<c>Add</c>, so it
/// predicts raw values).
/// </summary>
/// <param name="Mean">The value subtracted from each column.</param>
/// <param name="Scale">The value each column is divided by: its standard deviation, or 1 for a constant column.</param>
public sealed record Standardization(float[] Mean, float[] Scale)
{
    /// <summary>The number of columns.</summary>
    public int Width => Mean.Length;

    /// <summary>The means and standard deviations (population) of the feature columns of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data has no rows.</exception>
    public static Standardization OfFeatures(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Measure(data.Features.ToArray(), data.FeatureCount, data.Count, data.Name);
    }

    /// <summary>The mean and standard deviation of the regression targets of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data is not a regression data set, or has no rows.</exception>
    public static Standardization OfTargets(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.IsRegression)
        {
            throw new ArgumentException($"Data set '{data.Name}' has class labels, not regression targets.", nameof(data));
        }

        return Measure(data.Targets.ToArray(), 1, data.Count, data.Name);
    }

    /// <summary>A copy of <paramref name="data"/> with standardised features.</summary>
    /// <exception cref="ArgumentException">The data has another number of feature columns.</exception>
    public InMemoryDataset ApplyToFeatures(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(data.FeatureCount, data.Name);
        var features = data.Features.ToArray();
        for (int i = 0; i < features.Length; i++)
        {
            int column = i % Width;
            features[i] = (features[i] - Mean[column]) / Scale[column];
        }

        return data.IsRegression
            ? new InMemoryDataset(features, data.Targets.ToArray(), data.FeatureCount, data.Shape, data.Name)
            : new InMemoryDataset(features, data.Labels.ToArray(), data.FeatureCount, data.Shape, data.ClassCount, data.Name);
    }

    /// <summary>A copy of the regression data set <paramref name="data"/> with standardised targets.</summary>
    /// <exception cref="ArgumentException">Not a regression data set, or this is not a one-column standardisation.</exception>
    public InMemoryDataset ApplyToTargets(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(1, data.Name);
        if (!data.IsRegression)
        {
            throw new ArgumentException($"Data set '{data.Name}' has class labels, not regression targets.", nameof(data));
        }

        var targets = data.Targets.ToArray();
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = (targets[i] - Mean[0]) / Scale[0];
        }

        return new InMemoryDataset(data.Features.ToArray(), targets, data.FeatureCount, data.Shape, data.Name);
    }

    /// <summary>Applies <paramref name="apply"/> to the three parts of a split.</summary>
    public static DataSplit Apply(DataSplit split, Func<InMemoryDataset, InMemoryDataset> apply)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(apply);
        var train = apply(split.Train);
        var validation = ReferenceEquals(split.Validation, split.Train) ? train : apply(split.Validation);
        var test = ReferenceEquals(split.Test, split.Validation) ? validation : apply(split.Test);
        return new DataSplit(train, validation, test);
    }

    private static Standardization Measure(float[] values, int width, int rows, string name)
    {
        if (rows == 0)
        {
            throw new ArgumentException($"Data set '{name}' has no rows to measure a mean and standard deviation on.", nameof(rows));
        }

        var sum = new double[width];
        var sumSquares = new double[width];
        for (int i = 0; i < values.Length; i++)
        {
            sum[i % width] += values[i];
        }

        var mean = sum.Select(s => s / rows).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            double d = values[i] - mean[i % width];
            sumSquares[i % width] += d * d;
        }

        // A constant column keeps scale 1: dividing by ~0 would blow rounding noise up into large inputs.
        var scale = sumSquares.Select(s => Math.Sqrt(s / rows)).Select(sd => sd > 1e-12 ? (float)sd : 1f).ToArray();
        return new Standardization(mean.Select(m => (float)m).ToArray(), scale);
    }

    private void CheckWidth(int width, string name)
    {
        if (width != Width)
        {
            throw new ArgumentException($"Data set '{name}' has {width} columns but the standardisation was measured on {Width}.", nameof(width));
        }
    }
}

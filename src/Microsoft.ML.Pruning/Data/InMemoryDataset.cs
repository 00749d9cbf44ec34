using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// A data set held in memory: float features <c>[N, F]</c> (row-major), and either int64 class labels in
/// <c>[0, ClassCount)</c> (classification) or float targets (regression); for images, the <see cref="ImageShape"/>
/// that a flat row unfolds to.
/// </summary>
public sealed class InMemoryDataset
{
    private readonly float[] _features;
    private readonly long[] _labels;
    private readonly float[]? _targets;

    /// <summary>Creates a data set, validating sizes, labels and feature values.</summary>
    /// <param name="features">Row-major features, <c>labels.Length * featureCount</c> values.</param>
    /// <param name="labels">Class index of each row, in <c>[0, classCount)</c>.</param>
    /// <param name="featureCount">Number of features per row.</param>
    /// <param name="shape">Image layout of a row, or null for plain vectors; its size must equal <paramref name="featureCount"/>.</param>
    /// <param name="classCount">Number of classes; defaults to the largest label + 1.</param>
    /// <param name="name">A short description used in messages and reports.</param>
    /// <exception cref="ArgumentException">Sizes disagree, a label is out of range, or a feature is NaN or infinite.</exception>
    public InMemoryDataset(float[] features, long[] labels, int featureCount, ImageShape? shape = null, int? classCount = null, string name = "data")
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        Name = name;
        if (featureCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, $"Data set '{name}': the feature count must be positive.");
        }

        if ((long)labels.Length * featureCount != features.Length)
        {
            throw new ArgumentException(
                $"Data set '{name}': {features.Length} feature values do not make {labels.Length} rows of {featureCount} features.", nameof(features));
        }

        if (shape is { } s && s.Size != featureCount)
        {
            throw new ArgumentException($"Data set '{name}': image shape {s} holds {s.Size} values but rows have {featureCount} features.", nameof(shape));
        }

        int maxLabel = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || (classCount is { } c && labels[i] >= c))
            {
                throw new ArgumentException(
                    $"Data set '{name}': label {labels[i]} of row {i} is outside [0, {(classCount is { } cc ? cc.ToString() : "∞")}).", nameof(labels));
            }

            maxLabel = (int)Math.Max(maxLabel, labels[i]);
        }

        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new ArgumentException(
                    $"Data set '{name}': feature {i % featureCount} of row {i / featureCount} is {features[i]}; features must be finite.", nameof(features));
            }
        }

        _features = features;
        _labels = labels;
        FeatureCount = featureCount;
        Shape = shape;
        ClassCount = classCount ?? maxLabel + 1;
    }

    /// <summary>Creates a regression data set: one real-valued target per row; sizes and values are validated.</summary>
    /// <param name="features">Row-major features, <c>targets.Length * featureCount</c> values.</param>
    /// <param name="targets">The value to predict for each row; finite.</param>
    /// <param name="featureCount">Number of features per row.</param>
    /// <param name="shape">Image layout of a row, or null for plain vectors.</param>
    /// <param name="name">A short description used in messages and reports.</param>
    /// <exception cref="ArgumentException">Sizes disagree, or a feature or target is NaN or infinite.</exception>
    public InMemoryDataset(float[] features, float[] targets, int featureCount, ImageShape? shape = null, string name = "data")
        : this(features, new long[(targets ?? throw new ArgumentNullException(nameof(targets))).Length], featureCount, shape, classCount: null, name)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            if (!float.IsFinite(targets[i]))
            {
                throw new ArgumentException($"Data set '{name}': the target of row {i} is {targets[i]}; targets must be finite.", nameof(targets));
            }
        }

        _targets = targets;
        ClassCount = 0;
    }

    /// <summary>A short description used in messages and reports.</summary>
    public string Name { get; }

    /// <summary>Number of rows.</summary>
    public int Count => _labels.Length;

    /// <summary>Number of features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Image layout of a row, or null for plain feature vectors.</summary>
    public ImageShape? Shape { get; }

    /// <summary>Number of classes (labels lie in <c>[0, ClassCount)</c>); 0 for regression data.</summary>
    public int ClassCount { get; }

    /// <summary>True when rows carry real-valued <see cref="Targets"/> rather than class <see cref="Labels"/>.</summary>
    public bool IsRegression => _targets is not null;

    /// <summary>All features, row-major.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>All class labels (all zero for regression data: read <see cref="Targets"/> there).</summary>
    public ReadOnlySpan<long> Labels => _labels;

    /// <summary>The regression targets; empty for classification data.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>The features of one row.</summary>
    public ReadOnlySpan<float> Row(int index) => _features.AsSpan(checked(index * FeatureCount), FeatureCount);

    /// <summary>Rows <c>[start, start + count)</c>, in order.</summary>
    public InMemoryDataset Slice(int start, int count, string? name = null)
    {
        if (start < 0 || count < 0 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside data set '{Name}' of {Count} rows.");
        }

        var features = _features.AsSpan(start * FeatureCount, count * FeatureCount).ToArray();
        string sliceName = name ?? $"{Name}[{start}..{start + count})";
        return _targets is null
            ? new InMemoryDataset(features, _labels.AsSpan(start, count).ToArray(), FeatureCount, Shape, ClassCount, sliceName)
            : new InMemoryDataset(features, _targets.AsSpan(start, count).ToArray(), FeatureCount, Shape, sliceName);
    }

    /// <summary>The given rows, in the given order.</summary>
    public InMemoryDataset Select(IReadOnlyList<int> rows, string? name = null)
    {
        var features = new float[rows.Count * FeatureCount];
        var labels = new long[rows.Count];
        var targets = new float[_targets is null ? 0 : rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            Row(rows[i]).CopyTo(features.AsSpan(i * FeatureCount));
            labels[i] = _labels[rows[i]];
            if (_targets is not null)
            {
                targets[i] = _targets[rows[i]];
            }
        }

        string subsetName = name ?? $"{Name}[subset of {rows.Count}]";
        return _targets is null
            ? new InMemoryDataset(features, labels, FeatureCount, Shape, ClassCount, subsetName)
            : new InMemoryDataset(features, targets, FeatureCount, Shape, subsetName);
    }

    /// <summary>
    /// Splits by index, in file order: the first <paramref name="train"/> fraction of rows, then validation, then
    /// test (the test part takes the remainder). For 10,000 rows and 0.7/0.1/0.2 this gives 7000/1000/2000.
    /// </summary>
    /// <exception cref="ArgumentException">A fraction is negative, they do not sum to 1, or a part would be empty.</exception>
    public DataSplit SplitByIndex(double train, double validation, double test)
    {
        if (train <= 0 || validation < 0 || test < 0 || Math.Abs(train + validation + test - 1.0) > 1e-6)
        {
            throw new ArgumentException(
                $"Split fractions {train}, {validation}, {test} must be non-negative, with a positive training part, and sum to 1.");
        }

        int nTrain = (int)Math.Round(Count * train);
        int nVal = (int)Math.Round(Count * validation);
        int nTest = Count - nTrain - nVal;
        if (nTrain == 0 || (validation > 0 && nVal == 0) || (test > 0 && nTest <= 0))
        {
            throw new ArgumentException($"Data set '{Name}' has {Count} rows: too few for the split {train}/{validation}/{test}.");
        }

        return new DataSplit(
            Slice(0, nTrain, $"{Name} (train)"),
            Slice(nTrain, nVal, $"{Name} (validation)"),
            Slice(nTrain + nVal, nTest, $"{Name} (test)"));
    }

    /// <summary>Copies the features (<c>[N, F]</c>, float32) and labels (<c>[N]</c>: int64 classes, or float32 regression
    /// targets) into new tensors the caller owns.</summary>
    public (Tensor Features, Tensor Labels) ToTensors(Device? device = null)
    {
        Native.TorchSharpNativeLoader.EnsureLoaded();
        var x = torch.tensor(_features, new long[] { Count, FeatureCount }, dtype: ScalarType.Float32, device: device);
        var y = _targets is null
            ? torch.tensor(_labels, new long[] { Count }, dtype: ScalarType.Int64, device: device)
            : torch.tensor(_targets, new long[] { Count }, dtype: ScalarType.Float32, device: device);
        return (x, y);
    }

    /// <summary>
    /// A SHA-256 of the rows (features, then labels or targets, as little-endian bytes) and the image shape: equal
    /// content gives equal hashes, so a checkpoint can tell whether it is resumed on the data it was made with.
    /// </summary>
    public string ContentHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Count}x{FeatureCount}|{Shape}|{ClassCount}|{IsRegression}"));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_features.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_labels.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Targets));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Counts the rows of each class.</summary>
    /// <exception cref="InvalidOperationException">Regression data, which has no classes.</exception>
    public int[] ClassHistogram()
    {
        if (IsRegression)
        {
            throw new InvalidOperationException($"Data set '{Name}' has regression targets, not classes.");
        }

        var counts = new int[ClassCount];
        foreach (var label in _labels)
        {
            counts[label]++;
        }

        return counts;
    }
}

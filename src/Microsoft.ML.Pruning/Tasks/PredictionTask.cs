using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tasks;

/// <summary>
/// What a network predicts, and so how it is trained and judged: the width of its raw output, the loss, the metric
/// that stopping decisions and reports use, and (in the ONNX writer) the output head. One of
/// <see cref="Multiclass"/>, <see cref="Binary"/> or <see cref="Regression"/>.
/// </summary>
/// <remarks>
/// The network always produces raw outputs <c>[N, OutputWidth]</c> (logits, or values for regression); the task owns
/// what comes after: softmax and arg-max for multiclass, a sigmoid and a 0.5 threshold for binary, the value itself
/// for regression. Every metric is "higher is better", so policies compare without knowing the task.
/// </remarks>
public abstract class PredictionTask : IEquatable<PredictionTask>
{
    private protected PredictionTask()
    {
    }

    /// <summary>Binary classification: one logit per row, binary cross-entropy, accuracy at a 0.5 threshold (AUC reported beside it).</summary>
    public static PredictionTask Binary { get; } = new BinaryClassificationTask();

    /// <summary>Regression: one value per row, mean squared error, R² (coefficient of determination).</summary>
    public static PredictionTask Regression { get; } = new RegressionTask();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = new[] { "multiclass", "binary", "regression" };

    /// <summary>The task's name in reports: <c>multiclass</c>, <c>binary</c> or <c>regression</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The width of the network's raw output.</summary>
    public abstract int OutputWidth { get; }

    /// <summary>The name of <see cref="EvaluationMetrics.Metric"/>, as shown in reports: <c>accuracy</c> or <c>r2</c>.</summary>
    public abstract string MetricName { get; }

    /// <summary>True for classification tasks, whose targets are class indices.</summary>
    public abstract bool IsClassification { get; }

    /// <summary>Multiclass classification with <paramref name="classes"/> outputs: softmax cross-entropy, accuracy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes.</exception>
    public static PredictionTask Multiclass(int classes) => new MulticlassTask(classes);

    /// <summary>Parses a task name (<c>multiclass</c>, <c>binary</c>, <c>regression</c>); multiclass takes its class count from <paramref name="classes"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    public static PredictionTask Parse(string name, int classes) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "multiclass" => Multiclass(classes),
        "binary" => Binary,
        "regression" => Regression,
        _ => throw new ArgumentException($"Unknown task '{name}'. Known tasks: {string.Join(", ", KnownNames)}.", nameof(name)),
    };

    /// <summary>The mean loss of a batch: <paramref name="output"/> <c>[N, OutputWidth]</c> against <paramref name="target"/> <c>[N]</c>
    /// (int64 class indices for classification, float values for regression).</summary>
    public abstract Tensor Loss(Tensor output, Tensor target);

    /// <summary>Starts accumulating evaluation metrics over batches.</summary>
    public abstract MetricAccumulator CreateAccumulator();

    /// <summary>Checks that data with <paramref name="classCount"/> classes (0 for real-valued targets) fits this task.</summary>
    /// <exception cref="ArgumentException">The targets do not fit (the message says what was expected).</exception>
    public abstract void CheckTargets(int classCount, string dataName);

    /// <inheritdoc />
    public bool Equals(PredictionTask? other) => other is not null && Name == other.Name && OutputWidth == other.OutputWidth;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PredictionTask);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, OutputWidth);

    /// <inheritdoc />
    public override string ToString() => IsClassification && Name == "multiclass" ? $"multiclass({OutputWidth})" : Name;
}

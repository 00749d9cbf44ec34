using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tasks;

/// <summary>Multiclass classification: <c>C</c> logits per row, softmax cross-entropy, accuracy of the arg-max.</summary>
internal sealed class MulticlassTask : PredictionTask
{
    public MulticlassTask(int classes)
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), $"A multiclass task needs at least two classes, not {classes}.");
        }

        OutputWidth = classes;
    }

    public override string Name => "multiclass";

    public override int OutputWidth { get; }

    public override string MetricName => "accuracy";

    public override bool IsClassification => true;

    public override Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(output, target);

    public override MetricAccumulator CreateAccumulator() => new Accumulator();

    public override void CheckTargets(int classCount, string dataName)
    {
        if (classCount <= 0)
        {
            throw new ArgumentException($"Data set '{dataName}' has real-valued targets; a multiclass task needs class indices (use the regression task for values).");
        }

        if (classCount > OutputWidth)
        {
            throw new ArgumentException($"Data set '{dataName}' has {classCount} classes but the network has {OutputWidth} outputs.");
        }
    }

    private sealed class Accumulator : MetricAccumulator
    {
        private long _correct;

        private protected override void AddBatch(Tensor output, Tensor target)
        {
            using var scope = torch.NewDisposeScope();
            _correct += output.argmax(1).eq(target).sum().item<long>();
        }

        private protected override EvaluationMetrics Compute(double meanLoss, long count)
        {
            double accuracy = _correct / (double)count;
            return new EvaluationMetrics(meanLoss, accuracy, count) { Accuracy = accuracy };
        }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tasks;

/// <summary>
/// Binary classification: one logit per row, binary cross-entropy on the sigmoid, accuracy at a 0.5 probability
/// threshold; the area under the ROC curve is computed beside it (exact, ties counted half).
/// </summary>
internal sealed class BinaryClassificationTask : PredictionTask
{
    public override string Name => "binary";

    public override int OutputWidth => 1;

    public override string MetricName => "accuracy";

    public override bool IsClassification => true;

    public override Tensor Loss(Tensor output, Tensor target) =>
        nn.functional.binary_cross_entropy_with_logits(output.squeeze(1), target.to_type(output.dtype));

    public override MetricAccumulator CreateAccumulator() => new Accumulator();

    public override void CheckTargets(int classCount, string dataName)
    {
        if (classCount <= 0 || classCount > 2)
        {
            throw new ArgumentException(classCount <= 0
                ? $"Data set '{dataName}' has real-valued targets; binary classification needs the classes 0 and 1."
                : $"Data set '{dataName}' has {classCount} classes; binary classification needs exactly two (0 and 1).");
        }
    }

    private sealed class Accumulator : MetricAccumulator
    {
        private readonly List<float> _logits = new();
        private readonly List<long> _labels = new();

        private protected override void AddBatch(Tensor output, Tensor target)
        {
            using var scope = torch.NewDisposeScope();
            _logits.AddRange(output.squeeze(1).cpu().data<float>().ToArray());
            _labels.AddRange(target.cpu().data<long>().ToArray());
        }

        private protected override EvaluationMetrics Compute(double meanLoss, long count)
        {
            long correct = 0;
            for (int i = 0; i < _logits.Count; i++)
            {
                // A logit above 0 is a probability above 0.5.
                correct += (_logits[i] > 0) == (_labels[i] == 1) ? 1 : 0;
            }

            double accuracy = correct / (double)count;
            return new EvaluationMetrics(meanLoss, accuracy, count) { Accuracy = accuracy, Auc = Auc() };
        }

        /// <summary>The Mann-Whitney form of the ROC AUC: the chance a positive row scores above a negative one.</summary>
        private double? Auc()
        {
            var order = Enumerable.Range(0, _logits.Count).OrderBy(i => _logits[i]).ToArray();
            long positives = _labels.Count(l => l == 1), negatives = _labels.Count - positives;
            if (positives == 0 || negatives == 0)
            {
                return null;
            }

            // Rank sum of the positives, with tied scores sharing their mean rank.
            double rankSum = 0;
            for (int start = 0; start < order.Length;)
            {
                int end = start;
                while (end + 1 < order.Length && _logits[order[end + 1]] == _logits[order[start]])
                {
                    end++;
                }

                double meanRank = (start + end) / 2.0 + 1;
                for (int k = start; k <= end; k++)
                {
                    if (_labels[order[k]] == 1)
                    {
                        rankSum += meanRank;
                    }
                }

                start = end + 1;
            }

            return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
        }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tasks;

/// <summary>Regression: one value per row, mean squared error, R² = 1 − SSE / SST over the evaluated rows.</summary>
internal sealed class RegressionTask : PredictionTask
{
    public override string Name => "regression";

    public override int OutputWidth => 1;

    public override string MetricName => "r2";

    public override bool IsClassification => false;

    public override Tensor Loss(Tensor output, Tensor target) => nn.functional.mse_loss(output.squeeze(1), target.to_type(output.dtype));

    public override MetricAccumulator CreateAccumulator() => new Accumulator();

    public override void CheckTargets(int classCount, string dataName)
    {
        if (classCount > 0)
        {
            throw new ArgumentException($"Data set '{dataName}' has class labels; regression needs real-valued targets.");
        }
    }

    private sealed class Accumulator : MetricAccumulator
    {
        private double _sum;
        private double _sumSquares;
        private double _squaredErrors;

        private protected override void AddBatch(Tensor output, Tensor target)
        {
            using var scope = torch.NewDisposeScope();
            var y = target.to_type(ScalarType.Float64);
            var error = output.squeeze(1).to_type(ScalarType.Float64) - y;
            _sum += y.sum().item<double>();
            _sumSquares += y.square().sum().item<double>();
            _squaredErrors += error.square().sum().item<double>();
        }

        private protected override EvaluationMetrics Compute(double meanLoss, long count)
        {
            double total = _sumSquares - _sum * _sum / count;
            // All targets equal: no variance to explain; a perfect fit scores 1, anything else 0.
            double r2 = total > 0 ? 1 - _squaredErrors / total : (_squaredErrors == 0 ? 1 : 0);
            return new EvaluationMetrics(meanLoss, r2, count);
        }
    }
}

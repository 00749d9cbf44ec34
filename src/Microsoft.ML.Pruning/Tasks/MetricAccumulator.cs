using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tasks;

/// <summary>Accumulates a task's loss and metrics over evaluation batches; <see cref="Result"/> gives the totals.</summary>
public abstract class MetricAccumulator
{
    private double _lossSum;

    private protected MetricAccumulator()
    {
    }

    /// <summary>Rows seen so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one batch: raw outputs <c>[N, width]</c>, targets <c>[N]</c> and the batch's summed loss.</summary>
    public void Add(Tensor output, Tensor target, double lossSum)
    {
        _lossSum += lossSum;
        Count += target.shape[0];
        AddBatch(output, target);
    }

    /// <summary>The metrics of everything added.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public EvaluationMetrics Result()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("No rows were evaluated.");
        }

        return Compute(_lossSum / Count, Count);
    }

    /// <summary>Folds one batch into the task's running sums.</summary>
    private protected abstract void AddBatch(Tensor output, Tensor target);

    /// <summary>The task's metrics from its running sums.</summary>
    private protected abstract EvaluationMetrics Compute(double meanLoss, long count);
}

using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>
/// Trains a classifier (input <c>[N, F]</c> → logits <c>[N, classes]</c>) with cross-entropy: one epoch at a time,
/// each batch inside its own dispose scope, with step hooks (for pruning masks), progress and cancellation.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly List<ITrainingStepHook> _hooks = new();
    private optim.Optimizer _optimizer;

    /// <summary>Creates a trainer and its optimizer over all of the model's parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        Options = options;
        _optimizer = options.Optimizer.Create(model.parameters());
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>The current TorchSharp optimizer (replaced by <see cref="ResetOptimizer"/>).</summary>
    public optim.Optimizer Optimizer => _optimizer;

    /// <summary>Hooks run around every optimizer step, in order.</summary>
    public IList<ITrainingStepHook> Hooks => _hooks;

    /// <summary>
    /// Epochs trained so far by this trainer. It selects each epoch's shuffle (seeded by the data's <see cref="TensorBatches"/>), so it is part of the state a resumed
    /// run must restore.
    /// </summary>
    public long EpochsTrained { get; set; }

    /// <summary>Replaces the optimizer with a fresh one, clearing momentum and Adam state (done at each pruning round).</summary>
    public void ResetOptimizer()
    {
        _optimizer.Dispose();
        _optimizer = Options.Optimizer.Create(_model.parameters());
    }

    /// <summary>
    /// Trains one epoch over <paramref name="data"/> in a seeded shuffled order.
    /// </summary>
    /// <param name="data">Training rows.</param>
    /// <param name="epochInPhase">0-based epoch within the current phase; selects the learning rate.</param>
    /// <param name="phase">Name of the phase for progress reports.</param>
    /// <param name="progress">Receives a report every <see cref="TrainingOptions.ProgressInterval"/> batches.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="OperationCanceledException">Cancelled; the model holds the weights of the last finished batch.</exception>
    public EpochResult TrainEpoch(TensorBatches data, int epochInPhase, string phase = "train",
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var clock = Stopwatch.StartNew();
        double lr = Options.Optimizer.LearningRate * Options.Schedule.Factor(epochInPhase);
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        _model.train();
        int batchCount = data.BatchCount(Options.BatchSize);
        int batch = 0;
        using var lossSum = torch.zeros(1, dtype: ScalarType.Float64);
        using var correct = torch.zeros(1, dtype: ScalarType.Int64);
        // Each batch runs inside the dispose scope that TensorBatches opens for it.
        foreach (var (x, y) in data.Batches(Options.BatchSize, checked((int)(EpochsTrained % int.MaxValue)), shuffle: true))
        {
            cancellationToken.ThrowIfCancellationRequested();
            _optimizer.zero_grad();
            var logits = _model.forward(x);
            var loss = nn.functional.cross_entropy(logits, y);
            loss.backward();
            foreach (var hook in _hooks)
            {
                hook.BeforeStep(_model);
            }

            _optimizer.step();
            foreach (var hook in _hooks)
            {
                hook.AfterStep(_model);
            }

            using (torch.no_grad())
            {
                // Accumulated on tensors, read once per report: a .item() per batch would stall the pipeline. Every op
                // here costs a native call per batch, so as few as possible (add_ promotes to the sum's float64 itself).
                lossSum.add_(loss, alpha: y.shape[0]);
                if (Options.TrackTrainAccuracy)
                {
                    correct.add_(logits.argmax(1).eq(y).sum());
                }
            }

            batch++;
            if (progress is not null && (batch % Options.ProgressInterval == 0 || batch == batchCount))
            {
                progress.Report(new TrainingProgress(phase, epochInPhase, batch, batchCount, lossSum.item<double>() / Math.Min(data.Count, batch * Options.BatchSize), lr));
            }
        }

        EpochsTrained++;
        clock.Stop();
        return new EpochResult(epochInPhase, lossSum.item<double>() / data.Count, Options.TrackTrainAccuracy ? correct.item<long>() / (double)data.Count : null, data.Count, clock.Elapsed.TotalSeconds, lr);
    }

    /// <summary>Loss and accuracy of the model on <paramref name="data"/>, in evaluation mode, without gradients.</summary>
    public EvaluationResult Evaluate(TensorBatches data, CancellationToken cancellationToken = default)
        => Evaluate(_model, data, Options.EvaluationBatchSize, cancellationToken);

    /// <summary>Loss and accuracy of <paramref name="model"/> on <paramref name="data"/>, in evaluation mode, without gradients.</summary>
    /// <remarks>The model is left in evaluation mode; training switches it back.</remarks>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, TensorBatches data, int batchSize = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException($"Data set '{data.Data.Name}' is empty: there is nothing to evaluate.", nameof(data));
        }

        model.eval();
        double lossSum = 0;
        long correct = 0;
        using var noGrad = torch.no_grad();
        foreach (var (x, y) in data.Batches(batchSize, 0, shuffle: false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var logits = model.forward(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }

        return new EvaluationResult(lossSum / data.Count, correct / (double)data.Count, data.Count);
    }

    /// <inheritdoc />
    public void Dispose() => _optimizer.Dispose();
}

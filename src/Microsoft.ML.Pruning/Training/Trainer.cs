using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>
/// Trains a network (input <c>[N, F]</c> → raw outputs <c>[N, width]</c>) with its task's loss: a whole epoch, or a run
/// of consecutive batches of one (so decisions can be made inside an epoch). Each batch runs inside its own dispose
/// scope, with step hooks (for pruning masks), progress and cancellation.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly List<ITrainingStepHook> _hooks = new();
    private readonly Tensor _epochLossSum;
    private optim.Optimizer _optimizer;
    private long _epochSamples;

    /// <summary>Creates a trainer and its optimizer over all of the model's parameters.</summary>
    /// <param name="model">The network.</param>
    /// <param name="options">Optimizer, schedule, batch sizes.</param>
    /// <param name="task">The loss and metric; null for multiclass cross-entropy.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainingOptions options, PredictionTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        Options = options;
        // The class count of the default task matters to nothing here: cross-entropy and accuracy take any width.
        Task = task ?? PredictionTask.Multiclass(2);
        _optimizer = options.Optimizer.Create(model.parameters());
        _epochLossSum = torch.zeros(1, dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The task whose loss is minimised and whose metric <see cref="Evaluate(TensorBatches, CancellationToken)"/> reports.</summary>
    public PredictionTask Task { get; }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>The current TorchSharp optimizer (replaced by <see cref="ResetOptimizer"/>).</summary>
    public optim.Optimizer Optimizer => _optimizer;

    /// <summary>Hooks run around every optimizer step, in order.</summary>
    public IList<ITrainingStepHook> Hooks => _hooks;

    /// <summary>
    /// Epochs this trainer has finished or abandoned. It selects each epoch's shuffle (seeded by the data's
    /// <see cref="TensorBatches"/>), so it is part of the state a resumed run must restore.
    /// </summary>
    public long EpochsTrained { get; set; }

    /// <summary>Batches already trained in the current (unfinished) epoch; 0 between epochs.</summary>
    public int BatchesIntoEpoch { get; private set; }

    /// <summary>Whether the running loss of the epoch carries autograd history: it must not, or every batch's graph
    /// and activations would stay alive until the epoch ends (for tests).</summary>
    internal bool EpochLossTracksGradients => _epochLossSum.requires_grad;

    /// <summary>Mean training loss over the batches trained so far in the current (unfinished) epoch; null between epochs.</summary>
    public double? CurrentEpochLoss => _epochSamples > 0 ? _epochLossSum.item<double>() / _epochSamples : null;

    /// <summary>Replaces the optimizer with a fresh one, clearing momentum and Adam state (done at each pruning round).</summary>
    public void ResetOptimizer()
    {
        _optimizer.Dispose();
        _optimizer = Options.Optimizer.Create(_model.parameters());
    }

    /// <summary>
    /// Drops the rest of the current epoch: the next batch trained starts a new epoch with a new shuffle. Does nothing
    /// between epochs. A pruning round that stops inside an epoch calls this, so the next round starts afresh.
    /// </summary>
    public void AbandonEpoch()
    {
        if (BatchesIntoEpoch > 0)
        {
            EndEpoch();
        }
    }

    /// <summary>Trains the rest of the current epoch (all of it between epochs) over <paramref name="data"/>.</summary>
    /// <param name="data">Training rows.</param>
    /// <param name="epochInPhase">0-based epoch within the current phase; selects the learning rate.</param>
    /// <param name="phase">Name of the phase for progress reports.</param>
    /// <param name="progress">Receives a report every <see cref="TrainingOptions.ProgressInterval"/> batches.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="OperationCanceledException">Cancelled; the model holds the weights of the last finished batch.</exception>
    public EpochResult TrainEpoch(TensorBatches data, int epochInPhase, string phase = "train",
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var segment = TrainBatches(data, epochInPhase, int.MaxValue, phase, progress, cancellationToken);
        clock.Stop();
        return new EpochResult(epochInPhase, segment.EpochLoss!.Value, checked((int)segment.Samples), clock.Elapsed.TotalSeconds,
            CurrentLearningRate(epochInPhase));
    }

    /// <summary>
    /// Trains at most <paramref name="maxBatches"/> batches from the current position of the current epoch, stopping at
    /// the epoch's end; the next call goes on where this one stopped. The batches and their order are those a whole
    /// epoch would have trained, so an epoch trained in pieces equals one trained at once.
    /// </summary>
    /// <param name="data">Training rows.</param>
    /// <param name="epochInPhase">0-based epoch within the current phase; selects the learning rate.</param>
    /// <param name="maxBatches">The most batches to train (at least 1).</param>
    /// <param name="phase">Name of the phase for progress reports.</param>
    /// <param name="progress">Receives a report every <see cref="TrainingOptions.ProgressInterval"/> batches of the epoch.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="OperationCanceledException">Cancelled; the model holds the weights of the last finished batch.</exception>
    public TrainingSegment TrainBatches(TensorBatches data, int epochInPhase, int maxBatches, string phase = "train",
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatches, 1);
        double lr = CurrentLearningRate(epochInPhase);
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        _model.train();
        int batchCount = data.BatchCount(Options.BatchSize);
        int first = BatchesIntoEpoch;
        int count = (int)Math.Min(maxBatches, (long)batchCount - first);
        using var segmentLoss = torch.zeros(1, dtype: ScalarType.Float64);
        long samples = 0;
        // Each batch runs inside the dispose scope that TensorBatches opens for it.
        foreach (var (x, y) in data.Batches(Options.BatchSize, checked((int)(EpochsTrained % int.MaxValue)), shuffle: true, first, count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var loss = Step(x, y);
            // Accumulated on tensors, read once per report: a .item() per batch would stall the pipeline. add_ promotes
            // to the sum's float64 itself, so one op per batch. Detached: an in-place add of the loss itself would make
            // the sum part of every batch's autograd graph and keep all their activations alive until the segment ends.
            segmentLoss.add_(loss.detach(), alpha: y.shape[0]);
            samples += y.shape[0];
            BatchesIntoEpoch++;
            if (progress is not null && (BatchesIntoEpoch % Options.ProgressInterval == 0 || BatchesIntoEpoch == batchCount))
            {
                double epochLoss = (_epochLossSum.item<double>() + segmentLoss.item<double>()) / (_epochSamples + samples);
                progress.Report(new TrainingProgress(phase, epochInPhase, BatchesIntoEpoch, batchCount, epochLoss, lr));
            }
        }

        double sum = segmentLoss.item<double>();
        using (torch.NewDisposeScope())
        {
            // In-place ops may hand back a new wrapper of the same tensor: the scope frees it, not the sum.
            _epochLossSum.add_(segmentLoss);
        }

        _epochSamples += samples;
        double? completedLoss = null;
        if (BatchesIntoEpoch == batchCount)
        {
            completedLoss = _epochLossSum.item<double>() / _epochSamples;
            EndEpoch();
        }

        return new TrainingSegment(count, samples, samples > 0 ? sum / samples : double.NaN, completedLoss.HasValue, completedLoss);
    }

    /// <summary>Loss and metrics of the model on <paramref name="data"/>, in evaluation mode, without gradients.</summary>
    public EvaluationMetrics Evaluate(TensorBatches data, CancellationToken cancellationToken = default)
        => Evaluate(_model, data, Task, Options.EvaluationBatchSize, cancellationToken);

    /// <summary>Loss and metrics of <paramref name="model"/> on <paramref name="data"/> for <paramref name="task"/>, in
    /// evaluation mode, without gradients.</summary>
    /// <remarks>The model is left in evaluation mode; training switches it back.</remarks>
    /// <exception cref="ArgumentException">The data set is empty.</exception>
    public static EvaluationMetrics Evaluate(nn.Module<Tensor, Tensor> model, TensorBatches data, PredictionTask task, int batchSize = 1000,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(task);
        if (data.Count == 0)
        {
            throw new ArgumentException($"Data set '{data.Data.Name}' is empty: there is nothing to evaluate.", nameof(data));
        }

        model.eval();
        var metrics = task.CreateAccumulator();
        using var noGrad = torch.no_grad();
        foreach (var (x, y) in data.Batches(batchSize, 0, shuffle: false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var output = model.forward(x);
            metrics.Add(output, y, task.Loss(output, y).item<float>() * (double)y.shape[0]);
        }

        return metrics.Result();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _epochLossSum.Dispose();
    }

    /// <summary>One optimizer step on a batch; returns the batch's mean loss (a tensor of the batch's scope).</summary>
    private Tensor Step(Tensor x, Tensor y)
    {
        _optimizer.zero_grad();
        var loss = Task.Loss(_model.forward(x), y);
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

        return loss;
    }

    private double CurrentLearningRate(int epochInPhase) => Options.Optimizer.LearningRate * Options.Schedule.Factor(epochInPhase);

    private void EndEpoch()
    {
        EpochsTrained++;
        BatchesIntoEpoch = 0;
        _epochSamples = 0;
        using (torch.NewDisposeScope())
        {
            _epochLossSum.zero_();
        }
    }
}

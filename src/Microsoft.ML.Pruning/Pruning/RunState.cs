using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Tasks;
using Microsoft.ML.Pruning.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Everything one <see cref="IterativePruner"/> run carries from step to step: the network and its masks, the trainer,
/// the data as tensors, the weight snapshots (dense, rewind), the report rows and the running totals. The round loop's
/// steps read and change it; a checkpoint saves it.
/// </summary>
internal sealed class RunState : IDisposable
{
    public RunState(IterativePrunerOptions options, INetworkSource source, DataSplit data, PredictionTask task,
        IProgress<PruningProgress>? progress, CancellationToken cancellationToken)
    {
        Options = options;
        Source = source;
        Data = data;
        Task = task;
        Progress = progress;
        CancellationToken = cancellationToken;
        Network = source.Build(options.Seed);
        try
        {
            Masks = new MaskSet(Network);
            Train = new TensorBatches(data.Train, options.Seed);
            Validation = new TensorBatches(data.Validation, options.Seed);
            Test = new TensorBatches(data.Test, options.Seed);
            Trainer = new Trainer(Network, options.Training, task);
            Trainer.Hooks.Add(Masks);
        }
        catch
        {
            Dispose();
            DisposeNetwork();
            throw;
        }
    }

    public IterativePrunerOptions Options { get; }

    public INetworkSource Source { get; }

    public DataSplit Data { get; }

    public PredictionTask Task { get; }

    public IProgress<PruningProgress>? Progress { get; }

    public CancellationToken CancellationToken { get; }

    public PrunableNetwork Network { get; }

    public MaskSet Masks { get; } = null!;

    public Trainer Trainer { get; } = null!;

    public TensorBatches Train { get; } = null!;

    public TensorBatches Validation { get; } = null!;

    public TensorBatches Test { get; } = null!;

    /// <summary>Weight snapshots by purpose: <c>dense</c> (after pre-training), <c>rewind</c> (what rounds rewind to).</summary>
    public Dictionary<string, Dictionary<string, Tensor>> Snapshots { get; } = new();

    public List<RoundResult> Rounds { get; } = new();

    public DenseResult? Dense { get; set; }

    public double TotalEpochs { get; set; }

    public long TotalSamples { get; set; }

    public double FlowSeconds { get; set; }

    /// <summary>Wall seconds of earlier processes, for a resumed run.</summary>
    public double PriorSeconds { get; set; }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public List<string> Warnings { get; } = new();

    public List<double> FineTuneLosses { get; } = new();

    /// <summary>True once a round could remove nothing: every layer is at its floor, so later rounds would prune nothing either.</summary>
    public bool PruningExhausted { get; set; }

    /// <summary>The validation loss before any training: an epoch far above it is flagged as an exploding loss.</summary>
    public double? ReferenceLoss { get; set; }

    /// <summary>TorchSharp's generator state read from a checkpoint, restored once the policy is initialised.</summary>
    public byte[]? ResumedRngState { get; set; }

    public void SetSnapshot(string name, Dictionary<string, Tensor> state)
    {
        DisposeSnapshot(name);
        Snapshots[name] = state;
    }

    /// <summary>Frees the network and masks (on failure: on success they go to the caller in the result).</summary>
    public void DisposeNetwork()
    {
        Masks?.Dispose();
        Network.Dispose();
    }

    /// <summary>Frees what the run made for itself: snapshots, data tensors, the trainer.</summary>
    public void Dispose()
    {
        foreach (var name in Snapshots.Keys.ToList())
        {
            DisposeSnapshot(name);
        }

        Trainer?.Dispose();
        Train?.Dispose();
        Validation?.Dispose();
        Test?.Dispose();
    }

    private void DisposeSnapshot(string name)
    {
        if (Snapshots.Remove(name, out var state))
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }
}

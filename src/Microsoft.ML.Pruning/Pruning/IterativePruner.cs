using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Iterative magnitude pruning, round by round: dense pre-training, the dense reference, then for each round prune →
/// rewind → retrain until the stopping policy says stop → evaluate → record → checkpoint, and an optional final
/// fine-tune. This file is the whole round loop.
/// </summary>
public sealed class IterativePruner
{
    /// <summary>Creates a pruner; the options are validated here.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public IterativePruner(IterativePrunerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The run's options.</summary>
    public IterativePrunerOptions Options { get; }

    /// <summary>Runs the whole schedule on <paramref name="definition"/> and <paramref name="data"/>.</summary>
    /// <param name="definition">The network to prune: a built-in architecture's definition (trained from scratch) or an
    /// imported model (starting from its weights).</param>
    /// <param name="data">Train, validation and test rows; must match the network's input and classes.</param>
    /// <param name="progress">Receives a report every few batches and after every epoch.</param>
    /// <param name="cancellationToken">Checked before every batch; the last completed round's checkpoint stays intact.</param>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    /// <exception cref="InvalidDataException">Resuming from a checkpoint of another network or other options, or a corrupt one.</exception>
    public PruningResult Run(INetworkSource definition, DataSplit data, IProgress<PruningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(data);
        CheckData(definition, data);
        CheckOverrides(definition);
        var o = Options;
        var clock = Stopwatch.StartNew();

        TrainingSeed.Apply(o.Seed);
        var network = definition.Build(o.Seed);
        var masks = new MaskSet(network);
        var overrides = EffectiveOverrides(network);
        using var train = new TensorBatches(data.Train, o.Seed);
        using var validation = new TensorBatches(data.Validation, o.Seed);
        using var test = new TensorBatches(data.Test, o.Seed);
        using var trainer = new Trainer(network, o.Training);
        trainer.Hooks.Add(masks);
        var snapshots = new Dictionary<string, Dictionary<string, Tensor>>();
        try
        {
            if (o.Rewind.Kind == RewindKind.Init)
            {
                snapshots["rewind"] = network.SnapshotState();
            }

            var rows = new List<RoundResult>();
            DenseResult dense;
            int totalEpochs;
            double priorSeconds = 0, flowSeconds = 0;
            string checkpointPath = o.CheckpointDirectory is null ? "" : PruningCheckpoint.PathIn(o.CheckpointDirectory);
            string networkId = NetworkFingerprint(definition);
            byte[]? resumedRngState = null;
            if (o.Resume && File.Exists(checkpointPath))
            {
                using var checkpoint = PruningCheckpoint.Load(checkpointPath, networkId, definition.Name, o.Fingerprint());
                try
                {
                    // Every saved state must fit the network; the current weights go in last and stay.
                    foreach (var group in checkpoint.Tensors.Keys.Where(g => g != "weights").Append("weights"))
                    {
                        network.LoadState(checkpoint.Tensors[group]);
                    }
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"Checkpoint '{checkpointPath}' does not fit network '{definition.Name}': {e.Message}", e);
                }

                foreach (var mask in masks.Masks)
                {
                    mask.LoadBits(checkpoint.Masks.TryGetValue(mask.Name, out var bits) ? bits
                        : throw new InvalidDataException($"Checkpoint '{checkpointPath}' has no mask for layer '{mask.Name}'."));
                }

                foreach (var group in new[] { "dense", "rewind" })
                {
                    if (checkpoint.Tensors.TryGetValue(group, out var state))
                    {
                        DisposeSnapshot(snapshots, group);
                        snapshots[group] = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
                    }
                }

                trainer.EpochsTrained = checkpoint.TrainerEpochs;
                resumedRngState = checkpoint.RngState;
                rows.AddRange(checkpoint.Report.Rounds);
                dense = checkpoint.Report.Dense!;
                totalEpochs = checkpoint.Report.TotalEpochs;
                priorSeconds = checkpoint.Report.TotalWallSeconds;
                flowSeconds = checkpoint.Report.TotalFlowSeconds;
            }
            else
            {
                var denseClock = Stopwatch.StartNew();
                for (int epoch = 0; epoch < o.PretrainEpochs; epoch++)
                {
                    var r = TrainEpoch(trainer, train, epoch, "dense", 0, masks, progress, cancellationToken);
                    var val = trainer.Evaluate(validation, cancellationToken);
                    Report(progress, "dense", 0, epoch + 1, masks, r.TrainLoss, val.Accuracy, null);
                    if (o.Rewind.Kind == RewindKind.Epoch && epoch + 1 == o.Rewind.Epoch)
                    {
                        snapshots["rewind"] = network.SnapshotState();
                    }
                }

                dense = new DenseResult(trainer.Evaluate(validation, cancellationToken).Accuracy, trainer.Evaluate(test, cancellationToken).Accuracy,
                    o.PretrainEpochs, denseClock.Elapsed.TotalSeconds);
                totalEpochs = o.PretrainEpochs;
                snapshots["dense"] = network.SnapshotState();
                if (o.Rewind.Kind == RewindKind.Dense)
                {
                    snapshots["rewind"] = network.SnapshotState();
                }
            }

            // The policy sees the dense network, whatever state a resumed run is in.
            using (var current = network.SnapshotState().AsDisposable())
            {
                network.LoadState(snapshots["dense"]);
                o.Stopping.Initialize(new DenseReference(network, data.Train, dense.ValAccuracy, o.Seed), cancellationToken);
                network.LoadState(current.Value);
            }

            // A checkpoint's generator state is the one the next round starts from, so it is taken (and restored) after
            // the policy's Initialize, which may draw random numbers too: a resumed run then replays the same draws.
            if (resumedRngState is not null)
            {
                using var rng = torch.tensor(resumedRngState, dtype: ScalarType.Byte);
                torch.random.set_rng_state(rng);
            }
            else
            {
                SaveCheckpoint();
            }

            for (int round = rows.Count + 1; round <= o.Rounds; round++)
            {
                var roundClock = Stopwatch.StartNew();
                MagnitudePruner.Prune(masks, o.Rate, o.Scope, overrides);
                if (o.Rewind.Kind != RewindKind.None)
                {
                    network.LoadState(snapshots["rewind"]);
                    masks.ApplyToWeights();
                }

                trainer.ResetOptimizer();
                o.Stopping.BeginRound(round);
                double sparsity = masks.Sparsity;
                var prunedMasks = masks.Masks.Select(m => m.Pruned).ToList();
                var distances = new List<double>();
                double roundFlowSeconds = 0;
                int epochs = 0;
                StoppingDecision decision;
                double valAccuracy;
                do
                {
                    var r = TrainEpoch(trainer, train, epochs, "round", round, masks, progress, cancellationToken);
                    epochs++;
                    valAccuracy = trainer.Evaluate(validation, cancellationToken).Accuracy;
                    decision = o.Stopping.AfterEpoch(new StoppingContext(round, epochs, valAccuracy, dense.ValAccuracy, r.TrainLoss, network, prunedMasks), cancellationToken);
                    roundFlowSeconds += decision.FlowSeconds;
                    if (decision.FlowDistance is { } d)
                    {
                        distances.Add(d);
                    }

                    Report(progress, "round", round, epochs, masks, r.TrainLoss, valAccuracy, decision.FlowDistance);
                    if (!decision.Stop && epochs >= o.Stopping.MaxEpochs)
                    {
                        decision = decision with { Stop = true, Reason = StopReasons.MaxEpochs };
                    }
                }
                while (!decision.Stop);

                totalEpochs += epochs;
                flowSeconds += roundFlowSeconds;
                rows.Add(new RoundResult
                {
                    Round = round,
                    Sparsity = sparsity,
                    LayerSparsity = masks.LayerSparsity(),
                    Epochs = epochs,
                    StopReason = decision.Reason,
                    ValAccuracy = valAccuracy,
                    TestAccuracy = trainer.Evaluate(test, cancellationToken).Accuracy,
                    WallSeconds = roundClock.Elapsed.TotalSeconds,
                    FlowSeconds = roundFlowSeconds,
                    FlowDistance = distances.Count > 0 ? distances[^1] : null,
                    FlowDistances = distances,
                });
                SaveCheckpoint();
            }

            if (o.FinalFineTuneEpochs > 0)
            {
                trainer.ResetOptimizer();
                for (int epoch = 0; epoch < o.FinalFineTuneEpochs; epoch++)
                {
                    var r = TrainEpoch(trainer, train, epoch, "fine-tune", o.Rounds, masks, progress, cancellationToken);
                    Report(progress, "fine-tune", o.Rounds, epoch + 1, masks, r.TrainLoss, trainer.Evaluate(validation, cancellationToken).Accuracy, null);
                }

                totalEpochs += o.FinalFineTuneEpochs;
            }

            var finalVal = trainer.Evaluate(validation, cancellationToken);
            var finalTest = trainer.Evaluate(test, cancellationToken);
            network.eval();
            var report = BuildReport(definition, data, rows, dense, totalEpochs, priorSeconds + clock.Elapsed.TotalSeconds, flowSeconds) with
            {
                Final = new FinalResult(masks.Sparsity, finalVal.Accuracy, finalTest.Accuracy),
            };
            return new PruningResult(report, network, masks);

            void SaveCheckpoint()
            {
                if (o.CheckpointDirectory is null)
                {
                    return;
                }

                using var rng = torch.random.get_rng_state();
                var weights = network.SnapshotState();
                var groups = new Dictionary<string, Dictionary<string, Tensor>> { ["weights"] = weights };
                foreach (var (name, state) in snapshots)
                {
                    groups[name] = state;
                }

                var partial = BuildReport(definition, data, rows, dense, totalEpochs, priorSeconds + clock.Elapsed.TotalSeconds, flowSeconds);
                var checkpoint = new PruningCheckpoint
                {
                    NetworkFingerprint = networkId,
                    OptionsFingerprint = o.Fingerprint(),
                    Report = partial,
                    TrainerEpochs = trainer.EpochsTrained,
                    RngState = rng.data<byte>().ToArray(),
                    Masks = masks.Masks.ToDictionary(m => m.Name, m => m.ToBits()),
                    Tensors = groups,
                };
                checkpoint.Save(checkpointPath);
                foreach (var t in weights.Values)
                {
                    t.Dispose();
                }
            }
        }
        catch
        {
            masks.Dispose();
            network.Dispose();
            throw;
        }
        finally
        {
            // Policies that hold tensors (ICP's probe set) free them; Initialize makes them anew on the next run.
            (o.Stopping as IDisposable)?.Dispose();
            foreach (var name in snapshots.Keys.ToList())
            {
                DisposeSnapshot(snapshots, name);
            }
        }
    }

    /// <summary>
    /// The overrides in force: the user's, plus the output layer's rate factor unless the user named that layer.
    /// </summary>
    private IReadOnlyList<LayerPruningOverride> EffectiveOverrides(PrunableNetwork network)
    {
        var list = Options.Overrides.ToList();
        string output = network.PrunableLayers[^1].Name;
        if (Options.OutputLayerRateFactor < 1 && !list.Any(x => x.LayerName == output))
        {
            list.Add(Options.OutputLayerRateFactor == 0 ? LayerPruningOverride.Excluded(output) : LayerPruningOverride.Scaled(output, Options.OutputLayerRateFactor));
        }

        return list;
    }

    private PruningReport BuildReport(INetworkSource definition, DataSplit data, List<RoundResult> rows, DenseResult dense, int totalEpochs, double seconds, double flowSeconds) => new()
    {
        Method = Options.Rounds == 0 ? "dense" : Options.Method,
        Architecture = definition.Name,
        Data = data.Train.Name,
        Seed = Options.Seed,
        Dense = dense,
        Rounds = rows.ToList(),
        TotalEpochs = totalEpochs,
        TotalWallSeconds = seconds,
        TotalFlowSeconds = flowSeconds,
    };

    private EpochResult TrainEpoch(Trainer trainer, TensorBatches train, int epoch, string phase, int round, MaskSet masks,
        IProgress<PruningProgress>? progress, CancellationToken cancellationToken)
    {
        IProgress<TrainingProgress>? batchProgress = progress is null ? null : new ForwardingProgress(p =>
            progress.Report(new PruningProgress(phase, round, Options.Rounds, epoch + 1, p.Batch, p.BatchCount, double.NaN, p.Loss, null, null)));
        return trainer.TrainEpoch(train, epoch, phase, batchProgress, cancellationToken);
    }

    private void Report(IProgress<PruningProgress>? progress, string phase, int round, int epoch, MaskSet masks, double loss, double val, double? flow)
        => progress?.Report(new PruningProgress(phase, round, Options.Rounds, epoch, 0, 0, masks.Sparsity, loss, val, flow));

    private static void CheckData(INetworkSource definition, DataSplit data)
    {
        foreach (var (part, set) in new[] { ("training", data.Train), ("validation", data.Validation), ("test", data.Test) })
        {
            if (set.Count == 0)
            {
                throw new ArgumentException($"The {part} data ('{set.Name}') is empty.", nameof(data));
            }

            if (set.FeatureCount != definition.InputFeatures)
            {
                throw new ArgumentException($"The {part} data has {set.FeatureCount} features but network '{definition.Name}' takes {definition.InputFeatures}.", nameof(data));
            }

            if (set.ClassCount > definition.OutputWidth)
            {
                throw new ArgumentException($"The {part} data has {set.ClassCount} classes but network '{definition.Name}' has {definition.OutputWidth} outputs.", nameof(data));
            }
        }
    }

    /// <summary>Refuses, before any training, overrides that name a layer the network does not have.</summary>
    private void CheckOverrides(INetworkSource definition)
    {
        var names = definition.PrunableLayers.Select(l => l.Name).ToList();
        foreach (var o in Options.Overrides)
        {
            if (!names.Contains(o.LayerName))
            {
                throw new ArgumentException(
                    $"Pruning override names layer '{o.LayerName}', which is not a prunable layer of '{definition.Name}'. Prunable layers: {string.Join(", ", names)}.",
                    nameof(IterativePrunerOptions.Overrides));
            }
        }
    }

    /// <summary>Identifies a network's layer table in checkpoints: a checkpoint is only resumed on the same network.</summary>
    internal static string NetworkFingerprint(INetworkSource definition)
    {
        string text = $"{definition.Name}|{definition.InputFeatures}|{(definition as NetworkDefinition)?.InputShape}|{definition.OutputWidth}|{definition.Describe()}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static void DisposeSnapshot(Dictionary<string, Dictionary<string, Tensor>> snapshots, string name)
    {
        if (snapshots.Remove(name, out var state))
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    private sealed class ForwardingProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

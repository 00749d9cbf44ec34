using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tasks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Iterative pruning, round by round: dense pre-training, the dense reference, then for each round prune → rewind →
/// retrain until the stopping policy says stop (deciding every <see cref="IStoppingPolicy.CheckEvery"/> epochs) →
/// evaluate → record → checkpoint, and an optional final fine-tune. This file is the whole round loop; its state lives
/// in a <see cref="RunState"/>.
/// </summary>
public sealed class IterativePruner
{
    /// <summary>
    /// An epoch whose mean training loss exceeds this many times the network's loss before training (or 1, whichever is
    /// larger: a well-trained imported model starts near 0) is reported as exploding.
    /// </summary>
    public const double LossExplosionFactor = 100;

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

    /// <summary>Runs the whole schedule on <paramref name="source"/> and <paramref name="data"/>.</summary>
    /// <param name="source">The network to prune: a built-in architecture's definition (trained from scratch) or an
    /// imported model (starting from its weights).</param>
    /// <param name="data">Train, validation and test rows; must match the network's input and outputs.</param>
    /// <param name="progress">Receives a report every few batches and at every check point.</param>
    /// <param name="cancellationToken">Checked before every batch; the last completed round's checkpoint stays intact.</param>
    /// <exception cref="ArgumentException">The data does not fit the network or the task (checked before any training).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the weights became NaN or infinite; nothing was exported.</exception>
    /// <exception cref="InvalidDataException">Resuming from a checkpoint of another network, other options or other data, or a corrupt one.</exception>
    public PruningResult Run(INetworkSource source, DataSplit data, IProgress<PruningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(data);
        var task = ResolveTask(source, data);
        CheckData(source, data, task);
        CheckOverrides(source);
        Options.Criterion.CheckNetwork(source);

        TrainingSeed.Apply(Options.Seed);
        var state = new RunState(Options, source, data, task, progress, cancellationToken);
        try
        {
            if (!TryResume(state) && !TryReuseWarmUp(state))
            {
                PreTrain(state);
                ShareWarmUp(state);
            }

            InitializePolicy(state);
            RestoreRandomStateOrSaveFirstCheckpoint(state);
            while (state.Rounds.Count < Options.Rounds && !state.PruningExhausted)
            {
                RunRound(state, state.Rounds.Count + 1);
            }

            FineTune(state);
            return Finish(state);
        }
        catch
        {
            state.DisposeNetwork();
            throw;
        }
        finally
        {
            // Policies that hold tensors (ICP's probe set) free them; Initialize makes them anew on the next run.
            (Options.Stopping as IDisposable)?.Dispose();
            state.Dispose();
        }
    }

    /// <summary>Identifies a network's layer table in checkpoints: a checkpoint is only resumed on the same network.</summary>
    internal static string NetworkFingerprint(INetworkSource source)
    {
        string text = $"{source.Name}|{source.InputFeatures}|{(source as NetworkDefinition)?.InputShape}|{source.OutputWidth}|{source.Describe()}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Step: continue from the checkpoint when asked to and one exists. Returns false to start afresh.</summary>
    private bool TryResume(RunState state)
    {
        string path = CheckpointPath();
        if (!Options.Resume || !File.Exists(path))
        {
            return false;
        }

        using var checkpoint = PruningCheckpoint.Load(path, NetworkFingerprint(state.Source), state.Source.Name, Options.Fingerprint(), DataIdentity.Of(state.Data));
        try
        {
            // Every saved state must fit the network; the current weights go in last and stay.
            foreach (var group in checkpoint.Tensors.Keys.Where(g => g != "weights").Append("weights"))
            {
                state.Network.LoadState(checkpoint.Tensors[group]);
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' does not fit network '{state.Source.Name}': {e.Message}", e);
        }

        foreach (var mask in state.Masks.Masks)
        {
            mask.LoadBits(checkpoint.Masks.TryGetValue(mask.Name, out var bits) ? bits
                : throw new InvalidDataException($"Checkpoint '{path}' has no mask for layer '{mask.Name}'."));
        }

        Options.Criterion.Restore(state.Masks);
        foreach (var group in new[] { "dense", "rewind" })
        {
            if (checkpoint.Tensors.TryGetValue(group, out var saved))
            {
                state.SetSnapshot(group, saved.ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope()));
            }
        }

        var report = checkpoint.Report;
        state.Trainer.EpochsTrained = checkpoint.TrainerEpochs;
        state.ResumedRngState = checkpoint.RngState;
        state.Rounds.AddRange(report.Rounds);
        state.Dense = report.Dense!;
        state.TotalEpochs = report.TotalEpochs;
        state.TotalSamples = report.TotalSamples;
        state.PriorSeconds = report.TotalWallSeconds;
        state.FlowSeconds = report.TotalFlowSeconds;
        state.Warnings.AddRange(report.Warnings);
        state.ReferenceLoss = report.Dense!.InitialValLoss;
        return true;
    }

    /// <summary>Step (instead of pre-training): start from a warm-up another run with the same dense phase trained.</summary>
    private bool TryReuseWarmUp(RunState state)
    {
        if (Options.WarmUpCache is not { } cache || !cache.TryGet(WarmUpKey(state), out var warmUp))
        {
            return false;
        }

        foreach (var (name, snapshot) in warmUp.Snapshots)
        {
            state.SetSnapshot(name, snapshot.ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope()));
        }

        // The dense phase ends with the network at its dense snapshot.
        state.Network.LoadState(state.Snapshots["dense"]);
        state.Trainer.EpochsTrained = warmUp.TrainerEpochs;
        using (var rng = torch.tensor(warmUp.RngState, dtype: ScalarType.Byte))
        {
            torch.random.set_rng_state(rng);
        }

        state.Dense = warmUp.Dense with { SharedWarmUp = true };
        // The run's wall time counts the warm-up as the run that trained it measured it, as a resumed run counts the
        // time before its checkpoint: runs that share a warm-up stay comparable with runs that train their own.
        state.PriorSeconds = warmUp.Dense.WallSeconds;
        state.ReferenceLoss = warmUp.Dense.InitialValLoss;
        state.TotalEpochs = warmUp.Dense.Epochs;
        state.TotalSamples = warmUp.Dense.Samples;
        state.Warnings.AddRange(warmUp.Warnings);
        return true;
    }

    /// <summary>Step: hands a copy of what pre-training left to the warm-up cache, if the options name one.</summary>
    private void ShareWarmUp(RunState state)
    {
        if (Options.WarmUpCache is not { } cache)
        {
            return;
        }

        using var rng = torch.random.get_rng_state();
        var snapshots = state.Snapshots.ToDictionary(g => g.Key, g => g.Value.ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope()));
        cache.Add(WarmUpKey(state), new WarmUpCache.Entry(state.Dense!, snapshots, state.Trainer.EpochsTrained, rng.data<byte>().ToArray(), state.Warnings.ToArray()));
    }

    /// <summary>Everything the dense phase depends on: runs that agree on it train the same dense network.</summary>
    private string WarmUpKey(RunState state)
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            return string.Join("|", NetworkFingerprint(state.Source), DataIdentity.Of(state.Data).Serialize(), Options.Seed, Options.PretrainEpochs,
                Options.Training.Optimizer, (Options.Training.Optimizer as AdamOptions)?.Epsilon, Options.Training.Schedule, Options.Training.BatchSize, Options.Training.EvaluationBatchSize,
                Options.Rewind, state.Task.Name, state.Task.OutputWidth);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>Step: dense pre-training, then the dense reference (its metrics and weight snapshot).</summary>
    private void PreTrain(RunState state)
    {
        if (Options.Rewind.Kind == RewindKind.Init)
        {
            // The weights as built: initialisation for built-ins, the imported weights for a model read from a file.
            state.SetSnapshot("rewind", state.Network.SnapshotState());
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        double initialLoss = state.Trainer.Evaluate(state.Validation, state.CancellationToken).Loss;
        state.ReferenceLoss = initialLoss;
        var losses = new List<double>();
        for (int epoch = 0; epoch < Options.PretrainEpochs; epoch++)
        {
            var result = state.Trainer.TrainEpoch(state.Train, epoch, "dense", BatchProgress(state, "dense", 0, epoch), state.CancellationToken);
            CheckFinite(result.TrainLoss, "dense", 0, epoch + 1);
            losses.Add(result.TrainLoss);
            var val = state.Trainer.Evaluate(state.Validation, state.CancellationToken);
            ReportCheck(state, "dense", 0, epoch + 1, epoch + 1, result.TrainLoss, val.Metric, null);
            if (Options.Rewind.Kind == RewindKind.Epoch && epoch + 1 == Options.Rewind.Epoch)
            {
                state.SetSnapshot("rewind", state.Network.SnapshotState());
            }
        }

        var denseVal = state.Trainer.Evaluate(state.Validation, state.CancellationToken);
        var denseTest = state.Trainer.Evaluate(state.Test, state.CancellationToken);
        state.Dense = new DenseResult
        {
            ValMetric = denseVal.Metric,
            TestMetric = denseTest.Metric,
            ValAccuracy = denseVal.Accuracy,
            TestAccuracy = denseTest.Accuracy,
            ValLoss = denseVal.Loss,
            InitialValLoss = initialLoss,
            Epochs = Options.PretrainEpochs,
            Samples = (long)Options.PretrainEpochs * state.Data.Train.Count,
            Losses = losses,
            WallSeconds = clock.Elapsed.TotalSeconds,
        };
        state.TotalEpochs = Options.PretrainEpochs;
        state.TotalSamples = state.Dense.Samples;
        state.SetSnapshot("dense", state.Network.SnapshotState());
        if (Options.Rewind.Kind == RewindKind.Dense)
        {
            state.SetSnapshot("rewind", state.Network.SnapshotState());
        }
    }

    /// <summary>Step: the policy records the dense network, whatever state a resumed run is in.</summary>
    private void InitializePolicy(RunState state)
    {
        using var current = state.Network.SnapshotState().AsDisposable();
        state.Network.LoadState(state.Snapshots["dense"]);
        Options.Stopping.Initialize(new DenseReference(state.Network, state.Data.Train, state.Dense!.ValMetric, Options.Seed, state.Task), state.CancellationToken);
        state.Network.LoadState(current.Value);
    }

    /// <summary>
    /// Step: a checkpoint's generator state is the one the next round starts from, so it is taken (and restored) after
    /// the policy's Initialize, which may draw random numbers too: a resumed run then replays the same draws.
    /// </summary>
    private void RestoreRandomStateOrSaveFirstCheckpoint(RunState state)
    {
        if (state.ResumedRngState is { } saved)
        {
            using var rng = torch.tensor(saved, dtype: ScalarType.Byte);
            torch.random.set_rng_state(rng);
        }
        else
        {
            SaveCheckpoint(state);
        }
    }

    /// <summary>Step: one round — prune, rewind, retrain until the policy stops, evaluate, record, checkpoint.</summary>
    private void RunRound(RunState state, int round)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (!Prune(state, round))
        {
            return;
        }

        if (Options.Rewind.Kind != RewindKind.None)
        {
            state.Network.LoadState(state.Snapshots["rewind"]);
            state.Masks.ApplyToWeights();
        }

        state.Trainer.ResetOptimizer();
        Options.Stopping.BeginRound(round);
        double sparsity = state.Masks.Sparsity;
        var retraining = Retrain(state, round);
        var test = state.Trainer.Evaluate(state.Test, state.CancellationToken);
        state.TotalEpochs += retraining.Epochs;
        state.TotalSamples += retraining.Samples;
        state.FlowSeconds += retraining.FlowSeconds;
        state.Rounds.Add(new RoundResult
        {
            Round = round,
            Sparsity = sparsity,
            LayerSparsity = state.Masks.LayerSparsity(),
            Epochs = retraining.Epochs,
            Samples = retraining.Samples,
            StopReason = retraining.StopReason,
            ValMetric = retraining.Validation.Metric,
            TestMetric = test.Metric,
            ValAccuracy = retraining.Validation.Accuracy,
            TestAccuracy = test.Accuracy,
            WallSeconds = clock.Elapsed.TotalSeconds,
            FlowSeconds = retraining.FlowSeconds,
            FlowDistance = retraining.Checks.LastOrDefault(c => c.FlowDistance.HasValue)?.FlowDistance,
            Checks = retraining.Checks,
            Losses = retraining.Losses,
        });
        SaveCheckpoint(state);
    }

    /// <summary>
    /// The pruning step of a round. False when it could remove nothing (every layer at its last weight, or the rate
    /// too small to remove one): the run then stops pruning, with a warning, instead of running empty rounds.
    /// </summary>
    private bool Prune(RunState state, int round)
    {
        var step = Options.Criterion.Prune(state.Masks, Options.Rate, Options.Scope, EffectiveOverrides(state.Network));
        foreach (string layer in step.Exhausted)
        {
            state.Warnings.Add($"Layer '{layer}' reached its last {(Options.Criterion.Granularity == PruningGranularity.Channel ? "channel" : "weight")} in round {round} and is no longer pruned.");
        }

        if (step.Removed > 0)
        {
            return true;
        }

        state.PruningExhausted = true;
        state.Warnings.Add($"Round {round} could remove nothing (every layer is at its last {(Options.Criterion.Granularity == PruningGranularity.Channel ? "channel" : "weight")}, or the rate is too small to remove one); the run stopped pruning after {round - 1} rounds.");
        return false;
    }

    /// <summary>
    /// A round's retraining: trains in stretches of <see cref="IStoppingPolicy.CheckEvery"/> epochs (whole batches; a
    /// stretch may cross an epoch's end), asks the policy at the end of each, and stops when it says so or at its
    /// <see cref="IStoppingPolicy.MaxEpochs"/>. A round that stops inside an epoch drops the rest of it: the next round
    /// starts a new shuffle.
    /// </summary>
    private RoundRetraining Retrain(RunState state, int round)
    {
        var policy = Options.Stopping;
        int batchesPerEpoch = state.Train.BatchCount(Options.Training.BatchSize);
        int checkBatches = Math.Max(1, (int)Math.Round(policy.CheckEvery * batchesPerEpoch, MidpointRounding.AwayFromZero));
        long maxBatches = Math.Max(1, (long)Math.Ceiling(policy.MaxEpochs * batchesPerEpoch - 1e-9));
        var prunedMasks = state.Masks.Masks.Select(m => m.Pruned).ToList();
        var checks = new List<RoundCheck>();
        var losses = new List<double>();
        long batches = 0, samples = 0;
        double flowSeconds = 0;
        while (true)
        {
            var (stretchSamples, stretchLoss) = TrainStretch(state, round, (int)Math.Min(checkBatches, maxBatches - batches), ref batches, losses);
            samples += stretchSamples;
            CheckWeightsFinite(state, round, (int)((batches - 1) / batchesPerEpoch) + 1);
            var val = state.Trainer.Evaluate(state.Validation, state.CancellationToken);
            double epochs = samples / (double)state.Data.Train.Count;
            var decision = policy.Check(new StoppingContext(round, epochs, samples, val.Metric, state.Dense!.ValMetric, stretchLoss, state.Network, prunedMasks), state.CancellationToken);
            flowSeconds += decision.FlowSeconds;
            checks.Add(new RoundCheck(samples, epochs, val.Metric, val.Loss, decision.FlowDistance));
            ReportCheck(state, "round", round, (int)((batches - 1) / batchesPerEpoch) + 1, epochs, stretchLoss, val.Metric, decision.FlowDistance);
            if (!decision.Stop && batches >= maxBatches)
            {
                decision = decision with { Stop = true, Reason = StopReasons.MaxEpochs };
            }

            if (decision.Stop)
            {
                if (state.Trainer.CurrentEpochLoss is { } partial)
                {
                    // The round stopped inside an epoch: its loss so far is the round's last epoch loss.
                    losses.Add(partial);
                }

                state.Trainer.AbandonEpoch();
                return new RoundRetraining(samples, epochs, decision.Reason, val, checks, losses, flowSeconds);
            }
        }
    }

    /// <summary>Trains <paramref name="count"/> batches of a round (crossing an epoch's end if need be); returns the rows
    /// and their mean loss, and adds the loss of every epoch that ended to <paramref name="losses"/>.</summary>
    private (long Samples, double MeanLoss) TrainStretch(RunState state, int round, int count, ref long batches, List<double> losses)
    {
        int batchesPerEpoch = state.Train.BatchCount(Options.Training.BatchSize);
        long samples = 0;
        double lossSum = 0;
        while (count > 0)
        {
            int epochInRound = (int)(batches / batchesPerEpoch);
            var segment = state.Trainer.TrainBatches(state.Train, epochInRound, count, "round",
                BatchProgress(state, "round", round, epochInRound), state.CancellationToken);
            CheckFinite(segment.MeanLoss, "round", round, epochInRound + 1);
            count -= segment.Batches;
            batches += segment.Batches;
            samples += segment.Samples;
            lossSum += segment.MeanLoss * segment.Samples;
            if (segment.EpochCompleted)
            {
                losses.Add(segment.EpochLoss!.Value);
                CheckExplosion(state, segment.EpochLoss.Value, "round", round, epochInRound + 1);
            }
        }

        return (samples, lossSum / samples);
    }

    /// <summary>Step: optional fine-tuning after the last round, without rewinding.</summary>
    private void FineTune(RunState state)
    {
        if (Options.FinalFineTuneEpochs == 0)
        {
            return;
        }

        state.Trainer.ResetOptimizer();
        int round = state.Rounds.Count;
        for (int epoch = 0; epoch < Options.FinalFineTuneEpochs; epoch++)
        {
            var result = state.Trainer.TrainEpoch(state.Train, epoch, "fine-tune", BatchProgress(state, "fine-tune", round, epoch), state.CancellationToken);
            CheckFinite(result.TrainLoss, "fine-tune", round, epoch + 1);
            CheckExplosion(state, result.TrainLoss, "fine-tune", round, epoch + 1);
            state.FineTuneLosses.Add(result.TrainLoss);
            ReportCheck(state, "fine-tune", round, epoch + 1, epoch + 1, result.TrainLoss, state.Trainer.Evaluate(state.Validation, state.CancellationToken).Metric, null);
        }

        state.TotalEpochs += Options.FinalFineTuneEpochs;
        state.TotalSamples += (long)Options.FinalFineTuneEpochs * state.Data.Train.Count;
    }

    /// <summary>Step: the final figures and the report; the network and masks go to the caller.</summary>
    private PruningResult Finish(RunState state)
    {
        CheckWeightsFinite(state, state.Rounds.Count, 0);
        var val = state.Trainer.Evaluate(state.Validation, state.CancellationToken);
        var test = state.Trainer.Evaluate(state.Test, state.CancellationToken);
        state.Network.eval();
        var report = BuildReport(state) with
        {
            Final = new FinalResult
            {
                Sparsity = state.Masks.Sparsity,
                ValMetric = val.Metric,
                TestMetric = test.Metric,
                ValAccuracy = val.Accuracy,
                TestAccuracy = test.Accuracy,
                TestAuc = test.Auc,
            },
        };
        return new PruningResult(report, state.Network, state.Masks);
    }

    private void SaveCheckpoint(RunState state)
    {
        if (Options.CheckpointDirectory is null)
        {
            return;
        }

        using var rng = torch.random.get_rng_state();
        var weights = state.Network.SnapshotState();
        try
        {
            var groups = new Dictionary<string, Dictionary<string, Tensor>>(state.Snapshots) { ["weights"] = weights };
            new PruningCheckpoint
            {
                NetworkFingerprint = NetworkFingerprint(state.Source),
                OptionsFingerprint = Options.Fingerprint(),
                DataIdentity = DataIdentity.Of(state.Data).Serialize(),
                Report = BuildReport(state),
                TrainerEpochs = state.Trainer.EpochsTrained,
                RngState = rng.data<byte>().ToArray(),
                Masks = state.Masks.Masks.ToDictionary(m => m.Name, m => m.ToBits()),
                Tensors = groups,
            }.Save(CheckpointPath());
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }
    }

    private string CheckpointPath() => Options.CheckpointDirectory is null ? "" : PruningCheckpoint.PathIn(Options.CheckpointDirectory);

    private PruningReport BuildReport(RunState state) => new()
    {
        Method = Options.Rounds == 0 ? "dense" : Options.Method,
        Criterion = Options.Criterion.Name,
        Architecture = state.Source.Name,
        Data = state.Data.Train.Name,
        Seed = Options.Seed,
        Task = state.Task.Name,
        Metric = state.Task.MetricName,
        Stopping = new StoppingInfo(Options.Stopping.Name, (Options.Stopping as IcpStoppingPolicy)?.ReportedEpsilon, Options.Stopping.CheckEvery),
        Dense = state.Dense,
        Rounds = state.Rounds.ToList(),
        TotalEpochs = state.TotalEpochs,
        TotalSamples = state.TotalSamples,
        FineTuneLosses = state.FineTuneLosses.ToList(),
        TotalWallSeconds = state.PriorSeconds + state.Clock.Elapsed.TotalSeconds,
        TotalFlowSeconds = state.FlowSeconds,
        Warnings = state.Warnings.ToList(),
    };

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

    /// <summary>A non-finite loss stops the run at once: nothing trained on NaN is worth exporting.</summary>
    private static void CheckFinite(double loss, string phase, int round, int epoch)
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException(phase, round, epoch, loss, $"the training loss ({loss})");
        }
    }

    /// <summary>An epoch loss far above the first one is flagged once in the report: training may have gone wrong
    /// without becoming non-finite.</summary>
    private static void CheckExplosion(RunState state, double loss, string phase, int round, int epoch)
    {
        double scale = Math.Max(state.ReferenceLoss ?? 1, 1);
        if (loss > scale * LossExplosionFactor && !state.Warnings.Any(w => w.StartsWith("The training loss exploded", StringComparison.Ordinal)))
        {
            string where = phase == "round" ? $"round {round}, epoch {epoch}" : $"{phase} epoch {epoch}";
            state.Warnings.Add(FormattableString.Invariant(
                $"The training loss exploded in {where}: {loss:G4}, more than {LossExplosionFactor} times the loss before training ({scale:G4}). The model may be poor; try a lower learning rate."));
        }
    }

    private static void CheckWeightsFinite(RunState state, int round, int epoch)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, parameter) in state.Network.named_parameters())
        {
            if (!parameter.isfinite().all().item<bool>())
            {
                throw new TrainingDivergedException(round == 0 ? "dense" : "round", round, epoch, double.NaN, $"the weights of '{name}'");
            }
        }
    }

    private void ReportCheck(RunState state, string phase, int round, int epoch, double epochs, double loss, double valMetric, double? flow)
    {
        if (phase == "dense")
        {
            CheckExplosion(state, loss, phase, round, epoch);
        }

        state.Progress?.Report(new PruningProgress(phase, round, Options.Rounds, epoch, 0, 0, state.Masks.Sparsity, loss, valMetric, flow)
        {
            Epochs = epochs,
            MetricName = state.Task.MetricName,
        });
    }

    private IProgress<TrainingProgress>? BatchProgress(RunState state, string phase, int round, int epoch) =>
        state.Progress is null ? null : new ForwardingProgress(p => state.Progress.Report(
            new PruningProgress(phase, round, Options.Rounds, epoch + 1, p.Batch, p.BatchCount, double.NaN, p.Loss, null, null) { MetricName = state.Task.MetricName }));

    /// <summary>The task: the options', or from the data (regression for real-valued targets, multiclass otherwise).</summary>
    private PredictionTask ResolveTask(INetworkSource source, DataSplit data)
    {
        if (Options.Task is { } task)
        {
            return task;
        }

        return data.Train.IsRegression ? PredictionTask.Regression : PredictionTask.Multiclass(Math.Max(2, source.OutputWidth));
    }

    private static void CheckData(INetworkSource source, DataSplit data, PredictionTask task)
    {
        if (source.OutputWidth != task.OutputWidth)
        {
            throw new ArgumentException($"Network '{source.Name}' has {source.OutputWidth} outputs but the {task.Name} task needs {task.OutputWidth}.", nameof(data));
        }

        foreach (var (part, set) in new[] { ("training", data.Train), ("validation", data.Validation), ("test", data.Test) })
        {
            if (set.Count == 0)
            {
                throw new ArgumentException($"The {part} data ('{set.Name}') is empty.", nameof(data));
            }

            if (set.FeatureCount != source.InputFeatures)
            {
                throw new ArgumentException($"The {part} data has {set.FeatureCount} features but network '{source.Name}' takes {source.InputFeatures}.", nameof(data));
            }

            task.CheckTargets(set.ClassCount, set.Name);
        }
    }

    /// <summary>Refuses, before any training, overrides that name a layer the network does not have.</summary>
    private void CheckOverrides(INetworkSource source)
    {
        var names = source.PrunableLayers.Select(l => l.Name).ToList();
        foreach (var o in Options.Overrides)
        {
            if (!names.Contains(o.LayerName))
            {
                throw new ArgumentException(
                    $"Pruning override names layer '{o.LayerName}', which is not a prunable layer of '{source.Name}'. Prunable layers: {string.Join(", ", names)}.",
                    nameof(IterativePrunerOptions.Overrides));
            }
        }
    }

    /// <summary>What a round's retraining did.</summary>
    private sealed record RoundRetraining(long Samples, double Epochs, string StopReason, EvaluationMetrics Validation,
        IReadOnlyList<RoundCheck> Checks, IReadOnlyList<double> Losses, double FlowSeconds);

    private sealed class ForwardingProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

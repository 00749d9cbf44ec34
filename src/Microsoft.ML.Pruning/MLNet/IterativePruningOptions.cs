using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// Options of <c>mlContext.Transforms.PruneIterative(...)</c>: which network to train and prune, how, on which
/// columns, and where the results go. Defaults: LeNet-300-100, 10 rounds of 20%, rewinding to the dense weights,
/// ICP on information flow (at most <see cref="EpochsPerRound"/> epochs a round), Adam 1.2e-3, batch 60.
/// Set <see cref="Model"/> to prune your own trained ONNX classifier instead of a built-in architecture.
/// </summary>
public sealed class IterativePruningOptions
{
    /// <summary>The label column, whose type picks the task: a key (multiclass classification; use <c>MapValueToKey</c>
    /// first), Boolean (binary classification) or Single (regression). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The network, trained from scratch. Default <see cref="NetworkArchitecture.LeNet300"/>. Not used when
    /// <see cref="Model"/> is set.</summary>
    public NetworkArchitecture Architecture { get; set; } = NetworkArchitecture.LeNet300();

    /// <summary>How a feature vector unfolds into an image (C, H, W); required by convolutional architectures. Not used
    /// with <see cref="Model"/>, which unfolds rows to its own input shape.</summary>
    public ImageShape? InputShape { get; set; }

    /// <summary>
    /// A trained ONNX classifier to prune instead of <see cref="Architecture"/>: <c>OnnxModelSource.Load(path)</c> or
    /// <c>OnnxModelSource.FromBytes(bytes, name)</c>. Null (the default) trains <see cref="Architecture"/>. Pruning starts
    /// from the model's weights; the feature column must hold one value per model input value, and the model's output
    /// <c>k</c> is the class whose label key is <c>k + 1</c> (map the labels in the order the model was trained with,
    /// e.g. <c>MapValueToKey(keyOrdinality: ByValue)</c> for labels 0..9). The fitted transformer scores with the
    /// pruned model through the standard <c>Score</c>/<c>PredictedLabel</c> columns, and
    /// <see cref="MagnitudePruningTransformer.SaveOnnx"/> writes the model's own graph with the pruned weights.
    /// See <c>docs/import.md</c>.
    /// </summary>
    public OnnxModelSource? Model { get; set; }

    /// <summary>Pruning rounds; 0 trains the dense network only. Default 10.</summary>
    public int Rounds { get; set; } = 10;

    /// <summary>Fraction of the surviving weights removed per round, in (0, 1). Default 0.2. Ignored when <see cref="Rate"/> is set.</summary>
    public double RatePerRound { get; set; } = 0.2;

    /// <summary>A pruning rate other than a fixed fraction (e.g. <see cref="PruningRate.PqIndex"/>); null for <see cref="RatePerRound"/>.</summary>
    public PruningRate? Rate { get; set; }

    /// <summary>Layerwise or global magnitude threshold. Default layerwise.</summary>
    public PruningScope Scope { get; set; } = PruningScope.Layerwise;

    /// <summary>What a pruning step removes: single weights (the default) or whole channels and neurons with everything
    /// coupled to them; with <see cref="PruningGranularity.Channel"/> the ONNX model is written compacted (smaller
    /// dense layers, faster to score). With a <see cref="Model"/>, the channel groups come from its graph; a model in which
    /// none can be followed is refused when fitting.</summary>
    public PruningGranularity Granularity { get; set; } = PruningGranularity.Weight;

    /// <summary>How channel granularity scores a channel. Default <see cref="Pruning.ChannelNorm.L1"/>.</summary>
    public ChannelNorm ChannelNorm { get; set; } = ChannelNorm.L1;

    /// <summary>Where surviving weights go back to after each pruning step. Default: the dense weights.</summary>
    public RewindPoint Rewind { get; set; } = RewindPoint.Dense;

    /// <summary>The optimizer. Default Adam, learning rate 1.2e-3.</summary>
    public OptimizerOptions Optimizer { get; set; } = OptimizerOptions.Adam();

    /// <summary>Training mini-batch size. Default 60.</summary>
    public int BatchSize { get; set; } = 60;

    /// <summary>Dense training epochs before the first round; null (the default) for 10 with <see cref="Architecture"/>
    /// (on a table of fewer than 1000 rows, enough epochs for 600 optimizer steps) and 0 with <see cref="Model"/> (the
    /// imported weights are the dense reference).</summary>
    public int? PretrainEpochs { get; set; }

    /// <summary>Retraining epochs per round: the schedule of fixed policies, the limit of adaptive ones; null (the default)
    /// for 10 (on a table of fewer than 1000 rows, enough epochs for 300 optimizer steps).</summary>
    public int? EpochsPerRound { get; set; }

    /// <summary>When a round's retraining stops; null for ICP on information flow with its default epsilon, deciding every
    /// quarter epoch (on a table of fewer than 1000 rows, only after 100 optimizer steps of the round), at most
    /// <see cref="EpochsPerRound"/> epochs. A policy instance serves one <c>Fit</c>.</summary>
    public IStoppingPolicy? Stopping { get; set; }

    /// <summary>Rows for validation (stopping decisions); null to hold out <see cref="ValidationFraction"/> of the training rows.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Fraction of the training rows held out for validation (chosen by seed) when <see cref="ValidationData"/> is
    /// null; null (the default) for 0.1, or 0.2 on a table of fewer than 1000 rows, where 10% is too few rows to decide on.</summary>
    public double? ValidationFraction { get; set; }

    /// <summary>Rows whose accuracy the report records as test accuracy; null to report the validation rows there.</summary>
    public IDataView? TestData { get; set; }

    /// <summary>The one seed of the run. Default 1.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Folder for the per-round checkpoint; null for none.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> if there is one.</summary>
    public bool Resume { get; set; }

    /// <summary>How the exported ONNX model stores weights. Default <see cref="OnnxStorage.Auto"/>.</summary>
    public OnnxStorage Storage { get; set; } = OnnxStorage.Auto;

    /// <summary>Receives progress every few batches and after every epoch.</summary>
    public IProgress<PruningProgress>? Progress { get; set; }

    /// <summary>Stops <c>Fit</c> within one batch; the last completed round's checkpoint stays intact.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(LabelColumnName))
        {
            throw new ArgumentException("LabelColumnName must name a column.", nameof(LabelColumnName));
        }

        if (string.IsNullOrWhiteSpace(FeatureColumnName))
        {
            throw new ArgumentException("FeatureColumnName must name a column.", nameof(FeatureColumnName));
        }

        if (Model is null)
        {
            ArgumentNullException.ThrowIfNull(Architecture, nameof(Architecture));
        }
        if (Rate is null && !(RatePerRound > 0 && RatePerRound < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RatePerRound), RatePerRound, "RatePerRound must be in (0, 1): the fraction of surviving weights removed per round.");
        }

        if (Rounds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "Rounds must be 0 or more.");
        }

        if (PretrainEpochs is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PretrainEpochs), PretrainEpochs, "PretrainEpochs must be 0 or more.");
        }

        if (EpochsPerRound is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EpochsPerRound), EpochsPerRound, "EpochsPerRound must be positive.");
        }

        if (BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        }

        if (ValidationData is null && ValidationFraction is { } fraction && !(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in (0, 1) when no ValidationData is given.");
        }

        if (CheckpointDirectory is { } dir)
        {
            CheckWritable(dir, nameof(CheckpointDirectory));
        }

        ToEngineOptions().Validate();
    }

    /// <summary>The validation fraction in force for <paramref name="rows"/> rows of training data.</summary>
    internal double EffectiveValidationFraction(int rows) =>
        ValidationFraction ?? (SmallTableDefaults.Applies(rows) ? SmallTableDefaults.ValidationFraction : 0.1);

    /// <summary>The engine's options for these settings; <paramref name="rows"/> (the rows handed to <c>Fit</c>) and
    /// <paramref name="trainRows"/> (those left for training) pick the small-table defaults, null for the usual ones.</summary>
    internal IterativePrunerOptions ToEngineOptions(int? rows = null, int? trainRows = null)
    {
        bool small = rows is { } n && trainRows is not null && SmallTableDefaults.Applies(n);
        int train = trainRows ?? 0;
        int epochsPerRound = EpochsPerRound ?? (small ? SmallTableDefaults.Epochs(SmallTableDefaults.RoundSteps, train, BatchSize, 10) : 10);
        int pretrain = PretrainEpochs ?? (Model is not null ? 0 : small ? SmallTableDefaults.Epochs(SmallTableDefaults.PretrainSteps, train, BatchSize, 10) : 10);
        double? minEpochs = small ? Math.Min(epochsPerRound, SmallTableDefaults.Epochs(SmallTableDefaults.StepsBeforeDecision, train, BatchSize, 1)) : null;
        var settings = new MethodSettings { EpochsPerRound = epochsPerRound };
        return new()
        {
            Method = Stopping is null ? "icp-if" : "custom",
            Rounds = Rounds,
            Rate = Rate ?? PruningRate.Fixed(RatePerRound),
            Scope = Scope,
            Criterion = PruningCriterion.For(Granularity, ChannelNorm),
            Rewind = Rewind,
            PretrainEpochs = pretrain,
            Training = new TrainingOptions { Optimizer = Optimizer, BatchSize = BatchSize },
            Stopping = Stopping ?? (minEpochs is { } min
                ? new IcpStoppingPolicy(FlowKind.Information, settings.Epsilon, min, epochsPerRound) { CheckEvery = SmallTableDefaults.EpochFraction(SmallTableDefaults.StepsBetweenDecisions, train, BatchSize, settings.AdaptiveCheckEvery), ProbeSize = settings.ProbeSize ?? IcpStoppingPolicy.DefaultProbeSize }
                : settings.Icp(FlowKind.Information)),
            Seed = Seed,
            CheckpointDirectory = CheckpointDirectory,
            Resume = Resume,
        };
    }

    private static void CheckWritable(string directory, string option)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"{option} '{directory}' is not a writable folder: {e.Message}", option, e);
        }
    }
}

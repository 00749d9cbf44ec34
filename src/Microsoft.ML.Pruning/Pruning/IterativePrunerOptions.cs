using System.Globalization;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tasks;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Everything an iterative-pruning run needs besides the network and the data. Defaults give the lottery-ticket
/// schedule of LeNet-300-100: 10 rounds of 20% of every layer (density 0.8^10 = 10.7%), rewinding to the initial
/// weights, Adam 1.2e-3, 10 epochs of dense training and 10 per round.
/// </summary>
public sealed record IterativePrunerOptions
{
    /// <summary>A name for reports (e.g. <c>lth</c>, <c>imp</c>, <c>imp-ar</c>, <c>icp-if</c>). Default "lth".</summary>
    public string Method { get; init; } = "lth";

    /// <summary>Pruning rounds; 0 trains the dense network only. Default 10.</summary>
    public int Rounds { get; init; } = 10;

    /// <summary>How much of the surviving weights each round removes. Default 20%.</summary>
    public PruningRate Rate { get; init; } = PruningRate.Fixed(0.2);

    /// <summary>Layerwise or global ranking. Default layerwise.</summary>
    public PruningScope Scope { get; init; } = PruningScope.Layerwise;

    /// <summary>What a pruning step removes and how it ranks it. Default: single weights by magnitude.</summary>
    public PruningCriterion Criterion { get; init; } = PruningCriterion.Magnitude;

    /// <summary>The task (loss, metric, output width); null to take it from the data: regression for real-valued
    /// targets, otherwise multiclass with the network's output width. Binary classification is always asked for.</summary>
    public PredictionTask? Task { get; init; }

    /// <summary>Per-layer exceptions. Default: none. <see cref="OutputLayerRateFactor"/> adds one for the output layer.</summary>
    public IReadOnlyList<LayerPruningOverride> Overrides { get; init; } = Array.Empty<LayerPruningOverride>();

    /// <summary>
    /// Rate multiplier of the last prunable layer (the classifier), unless <see cref="Overrides"/> names it.
    /// Default 1 (pruned like the others, so the density after k rounds is exactly (1-r)^k); the lottery-ticket paper
    /// uses 0.5; 0 leaves the output layer dense.
    /// </summary>
    public double OutputLayerRateFactor { get; init; } = 1.0;

    /// <summary>Where surviving weights go back to after each pruning step. Default: the initial weights.</summary>
    public RewindPoint Rewind { get; init; } = RewindPoint.Init;

    /// <summary>Epochs of dense training before the first round. Default 10.</summary>
    public int PretrainEpochs { get; init; } = 10;

    /// <summary>Optimizer, schedule and batch sizes (used for every phase).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Where runs share their dense pre-training (null: every run trains its own). A run whose network, data,
    /// seed, <see cref="PretrainEpochs"/>, <see cref="Training"/>, <see cref="Rewind"/> and task match a held warm-up
    /// starts from it and ends exactly as if it had trained it. Not part of a checkpoint's identity.</summary>
    public WarmUpCache? WarmUpCache { get; init; }

    /// <summary>When each round's retraining stops. Default: 10 epochs per round.</summary>
    public IStoppingPolicy Stopping { get; init; } = StoppingPolicy.FixedEpochs(10);

    /// <summary>Epochs of fine-tuning after the last round (no rewinding). Default 0.</summary>
    public int FinalFineTuneEpochs { get; init; }

    /// <summary>The one seed of the run: initialisation, shuffles, dropout, probe sets. Default 1.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Folder for the per-round checkpoint (<c>checkpoint.bin</c>); null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> if there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>Throws an exception naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Rounds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "The number of pruning rounds must be 0 or more.");
        }

        if (PretrainEpochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PretrainEpochs), PretrainEpochs, "Dense pre-training epochs must be 0 or more.");
        }

        if (FinalFineTuneEpochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FinalFineTuneEpochs), FinalFineTuneEpochs, "Fine-tuning epochs must be 0 or more.");
        }

        if (!(OutputLayerRateFactor >= 0 && OutputLayerRateFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputLayerRateFactor), OutputLayerRateFactor, "The output layer's rate factor must be in [0, 1] (0 leaves it unpruned).");
        }

        ArgumentNullException.ThrowIfNull(Rate, nameof(Rate));
        ArgumentNullException.ThrowIfNull(Criterion, nameof(Criterion));
        ArgumentNullException.ThrowIfNull(Rewind, nameof(Rewind));
        ArgumentNullException.ThrowIfNull(Stopping, nameof(Stopping));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        ArgumentNullException.ThrowIfNull(Overrides, nameof(Overrides));
        Training.Validate();
        foreach (var o in Overrides)
        {
            if (o is null)
            {
                throw new ArgumentException("Overrides holds a null entry.", nameof(Overrides));
            }

            if (!o.Exclude && !(o.RateFactor > 0 && o.RateFactor <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Overrides), o.RateFactor,
                    $"The rate factor of layer '{o.LayerName}' must be in (0, 1]; exclude the layer to leave it unpruned.");
            }
        }

        if (Rewind.Kind == RewindKind.Epoch && Rewind.Epoch > PretrainEpochs)
        {
            throw new ArgumentOutOfRangeException(nameof(Rewind), Rewind.Epoch, $"Rewinding to epoch {Rewind.Epoch} needs at least that many pre-training epochs (PretrainEpochs is {PretrainEpochs}).");
        }

        if (Resume && CheckpointDirectory is null)
        {
            throw new ArgumentException("Resume needs a CheckpointDirectory to resume from.", nameof(Resume));
        }
    }

    /// <summary>The options that decide a run's results; a checkpoint is only resumed under the same ones.</summary>
    /// <remarks>Written with the invariant culture (numbers inside the options' <c>ToString</c> too), so a checkpoint
    /// resumes under another culture.</remarks>
    internal string Fingerprint()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return string.Join("|", Method, Rate, Scope, Criterion, Task, string.Join(";", Overrides), OutputLayerRateFactor, Rewind, PretrainEpochs,
                Training.Optimizer, (Training.Optimizer as AdamOptions)?.Epsilon, Training.Schedule, Training.BatchSize, Stopping.Name, Seed);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}

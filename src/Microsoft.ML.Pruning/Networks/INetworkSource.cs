using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// What the pruning engine prunes: a network with named prunable weight tensors (each with its output channels on
/// axis 0), whatever it came from — a built-in architecture (<see cref="NetworkDefinition"/>) trained from scratch, or
/// a model read from a file with its trained weights.
/// </summary>
/// <remarks>
/// The network takes flat float rows <c>[N, InputFeatures]</c> and produces <c>[N, OutputWidth]</c> raw outputs (logits
/// for classification, values for regression): the task turns them into scores.
/// </remarks>
public interface INetworkSource
{
    /// <summary>A short name for messages and reports.</summary>
    string Name { get; }

    /// <summary>The number of features of an input row (the width of the flat input).</summary>
    int InputFeatures { get; }

    /// <summary>The width of the raw output: class count for multiclass, 1 for binary classification and regression.</summary>
    int OutputWidth { get; }

    /// <summary>The prunable (Linear, Conv2d) weights in forward order.</summary>
    IReadOnlyList<PrunableLayerInfo> PrunableLayers { get; }

    /// <summary>True when <see cref="Build"/> gives trained weights (an imported model); false when it initialises them
    /// from the seed (a built-in architecture).</summary>
    bool HasTrainedWeights { get; }

    /// <summary>A table of the layers, their shapes and parameter counts: shown to users and part of the checkpoint's
    /// network fingerprint, so it must change whenever the network's structure does.</summary>
    string Describe();

    /// <summary>Makes the TorchSharp network, in training mode, on <paramref name="device"/> (the CPU when null).</summary>
    /// <param name="seed">The initialisation seed; ignored when <see cref="HasTrainedWeights"/> is true.</param>
    /// <param name="device">Where the parameters live.</param>
    PrunableNetwork Build(long seed, Device? device = null);
}

using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// A concrete network for a given input: its layers, in order, checked to fit together. Input is always the flat
/// float matrix <c>[N, InputFeatures]</c>; output is the logits <c>[N, ClassCount]</c>.
/// </summary>
/// <remarks>
/// Built-in architectures make definitions through <see cref="NetworkArchitecture.Define(int, ImageShape?, int)"/>; a custom network can be
/// described by calling the constructor with any layers of the vocabulary (<see cref="LayerSpec"/>). Every size is
/// checked here, once, so that the builder, the pruning engine and the ONNX writer can trust it.
/// </remarks>
public sealed class NetworkDefinition : INetworkSource
{
    private readonly List<string> _summary = new();

    /// <summary>Creates and validates a network description.</summary>
    /// <param name="name">A short name for messages and reports (e.g. the architecture name).</param>
    /// <param name="inputFeatures">The number of features of an input row.</param>
    /// <param name="inputShape">The image layout of an input row, or null for plain vectors.</param>
    /// <param name="classCount">The number of classes: the width of the output.</param>
    /// <param name="layers">The layers, applied in order.</param>
    /// <exception cref="ArgumentException">A size does not fit: the message names the layer and both sizes.</exception>
    public NetworkDefinition(string name, int inputFeatures, ImageShape? inputShape, int classCount, IEnumerable<LayerSpec> layers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(layers);
        Name = name;
        if (inputFeatures <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, $"Network '{name}': the input feature count must be positive.");
        }

        if (classCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"Network '{name}': the class count must be positive.");
        }

        if (inputShape is { } shape && (shape.Channels <= 0 || shape.Height <= 0 || shape.Width <= 0 || shape.Size != inputFeatures))
        {
            throw new ArgumentException(
                $"Network '{name}': input image shape {shape} holds {shape.Size} values but the input has {inputFeatures} features.", nameof(inputShape));
        }

        InputFeatures = inputFeatures;
        InputShape = inputShape;
        ClassCount = classCount;
        Layers = Array.AsReadOnly(layers.ToArray());

        var prunable = new List<PrunableLayerInfo>();
        long parameters = 0;
        var output = Walk(Layers, ActivationShape.Flat(inputFeatures), prefix: "", onMainPath: true, prunable, ref parameters, depth: 0);
        if (output.IsImage || output.Features != classCount)
        {
            throw new ArgumentException(
                $"Network '{name}': the last layer produces {output} per row, but the network must output {classCount} class scores (flat [{classCount}]).",
                nameof(layers));
        }

        if (prunable.Count == 0)
        {
            throw new ArgumentException($"Network '{name}' has no Linear or Conv2d layer, so there is nothing to train or prune.", nameof(layers));
        }

        PrunableLayers = prunable.AsReadOnly();
        ParameterCount = parameters;
        PrunableWeightCount = prunable.Sum(p => p.WeightCount);
    }

    /// <summary>A short name for messages and reports (for built-ins, the architecture's parseable name).</summary>
    public string Name { get; }

    /// <summary>The number of features of an input row (the width of the flat input <c>[N, F]</c>).</summary>
    public int InputFeatures { get; }

    /// <summary>The image layout of an input row, or null for plain vectors.</summary>
    public ImageShape? InputShape { get; }

    /// <summary>The width of the output <c>[N, ClassCount]</c>: the number of classes of a multiclass network, 1 for
    /// binary classification and regression.</summary>
    public int ClassCount { get; }

    /// <inheritdoc />
    int INetworkSource.OutputWidth => ClassCount;

    /// <inheritdoc />
    bool INetworkSource.HasTrainedWeights => false;

    /// <inheritdoc />
    PrunableNetwork INetworkSource.Build(long seed, TorchSharp.torch.Device? device) => NetworkBuilder.Build(this, seed, device);

    /// <summary>The layers, applied in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The Linear and Conv2d layers in forward order (inside a residual block: main path, then shortcut).</summary>
    public IReadOnlyList<PrunableLayerInfo> PrunableLayers { get; }

    /// <summary>The number of trainable parameters: weights, biases and BatchNorm scales and shifts (not running statistics).</summary>
    public long ParameterCount { get; }

    /// <summary>The number of prunable weights: the sum of <see cref="PrunableLayerInfo.WeightCount"/>.</summary>
    public long PrunableWeightCount { get; }

    /// <summary>A table of the layers with their output shapes and parameter counts, one line per layer.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        string input = InputShape is { } s ? $"[{InputFeatures}] = image {s}" : $"[{InputFeatures}]";
        text.AppendLine(CultureInfo.InvariantCulture, $"{Name}: input {input}, {ClassCount} classes, {ParameterCount:N0} parameters ({PrunableWeightCount:N0} prunable weights)");
        foreach (var line in _summary)
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} ({InputFeatures} features -> {ClassCount} classes, {ParameterCount:N0} parameters)");

    private ActivationShape Walk(
        IReadOnlyList<LayerSpec> layers, ActivationShape shape, string prefix, bool onMainPath,
        List<PrunableLayerInfo> prunable, ref long parameters, int depth)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (layer is null)
            {
                throw new ArgumentException($"Network '{Name}': a layer {(prefix.Length == 0 ? "" : $"of block '{prefix.TrimEnd('.')}' ")}is null.", "layers");
            }

            shape = Step(layer, shape, prefix, onMainPath, names, prunable, ref parameters, depth);
        }

        return shape;
    }

    private ActivationShape Step(
        LayerSpec layer, ActivationShape input, string prefix, bool onMainPath, HashSet<string> siblingNames,
        List<PrunableLayerInfo> prunable, ref long parameters, int depth)
    {
        string path = prefix + layer.Name;
        if (!siblingNames.Add(layer.Name))
        {
            throw new ArgumentException($"Network '{Name}': the layer name '{path}' is used twice; names must be unique (they become parameter keys).", "layers");
        }

        ArgumentException Fail(string problem) =>
            new($"Network '{Name}': layer '{path}' ({layer.Describe()}) {problem}", "layers");

        void RequirePositive(int value, string what)
        {
            if (value <= 0)
            {
                throw Fail($"has {what} {value}; it must be positive.");
            }
        }

        ImageShape RequireImage(string hint)
        {
            return input.Image ?? throw Fail($"needs an image input [C, H, W] but receives {input}; {hint}");
        }

        ActivationShape output;
        long layerParameters = 0;
        switch (layer)
        {
            case LinearLayer linear:
                RequirePositive(linear.InFeatures, "input features");
                RequirePositive(linear.OutFeatures, "output features");
                if (input.IsImage)
                {
                    throw Fail($"needs flat input but receives {input}; add a FlattenLayer or GlobalAvgPoolLayer before it.");
                }

                if (input.Features != linear.InFeatures)
                {
                    throw Fail($"expects {linear.InFeatures} input features but receives {input.Features}.");
                }

                layerParameters = (long)linear.InFeatures * linear.OutFeatures + (linear.Bias ? linear.OutFeatures : 0);
                prunable.Add(new PrunableLayerInfo(path, PrunableLayerKind.Linear, new long[] { linear.OutFeatures, linear.InFeatures }, onMainPath));
                output = ActivationShape.Flat(linear.OutFeatures);
                break;

            case Conv2dLayer conv:
            {
                RequirePositive(conv.InChannels, "input channels");
                RequirePositive(conv.OutChannels, "output channels");
                RequirePositive(conv.KernelSize, "kernel size");
                RequirePositive(conv.Stride, "stride");
                if (conv.Padding < 0)
                {
                    throw Fail($"has padding {conv.Padding}; it must be zero or positive.");
                }

                var image = RequireImage("add a ReshapeLayer first (network input is always flat).");
                if (image.Channels != conv.InChannels)
                {
                    throw Fail($"expects {conv.InChannels} input channels but receives {input}.");
                }

                int height = image.Height + 2 * conv.Padding, width = image.Width + 2 * conv.Padding;
                if (height < conv.KernelSize || width < conv.KernelSize)
                {
                    throw Fail($"receives {input}, smaller (with padding {conv.Padding}) than its {conv.KernelSize}x{conv.KernelSize} kernel: the input image is too small for this network.");
                }

                layerParameters = (long)conv.InChannels * conv.OutChannels * conv.KernelSize * conv.KernelSize + (conv.Bias ? conv.OutChannels : 0);
                prunable.Add(new PrunableLayerInfo(
                    path, PrunableLayerKind.Conv2d, new long[] { conv.OutChannels, conv.InChannels, conv.KernelSize, conv.KernelSize }, onMainPath));
                output = ActivationShape.Spatial(new ImageShape(
                    conv.OutChannels, (height - conv.KernelSize) / conv.Stride + 1, (width - conv.KernelSize) / conv.Stride + 1));
                break;
            }

            case BatchNormLayer norm:
                RequirePositive(norm.Features, "features");
                if (!(norm.Epsilon > 0) || !(norm.Momentum >= 0 && norm.Momentum <= 1))
                {
                    throw Fail(FormattableString.Invariant($"has epsilon {norm.Epsilon} and momentum {norm.Momentum}; epsilon must be positive and momentum in [0, 1]."));
                }

                if (norm.Spatial)
                {
                    var image = RequireImage("use a BatchNormLayer with Spatial = false for flat features.");
                    if (image.Channels != norm.Features)
                    {
                        throw Fail($"expects {norm.Features} channels but receives {input}.");
                    }
                }
                else if (input.IsImage)
                {
                    throw Fail($"needs flat input but receives {input}; use Spatial = true for images.");
                }
                else if (input.Features != norm.Features)
                {
                    throw Fail($"expects {norm.Features} features but receives {input.Features}.");
                }

                layerParameters = 2L * norm.Features;
                output = input;
                break;

            case ReluLayer:
                output = input;
                break;

            case MaxPool2dLayer pool:
                output = Pool(pool.KernelSize, pool.Stride);
                break;

            case AvgPool2dLayer pool:
                output = Pool(pool.KernelSize, pool.Stride);
                break;

            case GlobalAvgPoolLayer:
                output = ActivationShape.Flat(RequireImage("it averages each channel over height and width.").Channels);
                break;

            case FlattenLayer:
                output = ActivationShape.Flat(input.Features); // flat input passes unchanged, like flatten(1) on [N, F]
                break;

            case DropoutLayer dropout:
                if (!(dropout.P >= 0 && dropout.P < 1))
                {
                    throw Fail(FormattableString.Invariant($"has drop probability {dropout.P}; it must be in [0, 1)."));
                }

                output = input;
                break;

            case ReshapeLayer reshape:
                if (reshape.Shape.Channels <= 0 || reshape.Shape.Height <= 0 || reshape.Shape.Width <= 0)
                {
                    throw Fail($"has image shape {reshape.Shape}; every dimension must be positive.");
                }

                if (input.IsImage)
                {
                    throw Fail($"needs flat input but receives {input}.");
                }

                if (input.Features != reshape.Shape.Size)
                {
                    throw Fail($"needs {reshape.Shape.Size} input features for image {reshape.Shape} but receives {input.Features}.");
                }

                output = ActivationShape.Spatial(reshape.Shape);
                break;

            case ResidualBlock block:
            {
                if (block.Main.Count == 0)
                {
                    throw Fail("has an empty main path.");
                }

                int mark = _summary.Count;
                _summary.Add(Line(depth, layer, input, "", 0));
                var names = new HashSet<string>(StringComparer.Ordinal);
                string inner = path + ".";
                var main = input;
                foreach (var l in block.Main)
                {
                    main = l is null ? throw Fail("has a null layer in its main path.") : Step(l, main, inner, onMainPath, names, prunable, ref parameters, depth + 1);
                }

                var shortcut = input;
                foreach (var l in block.Shortcut)
                {
                    // Shortcut layers are off the main path: information flow skips them.
                    shortcut = l is null ? throw Fail("has a null layer in its shortcut.") : Step(l, shortcut, inner, onMainPath: false, names, prunable, ref parameters, depth + 1);
                }

                if (main != shortcut)
                {
                    throw Fail($"adds a main path producing {main} to a {(block.HasIdentityShortcut ? "identity shortcut" : "shortcut")} producing {shortcut}; they must match.");
                }

                _summary[mark] = Line(depth, layer, main, "", 0);
                return main; // its layers' parameters were counted as they were visited
            }

            default:
                throw Fail("is not a layer kind this version knows.");
        }

        parameters += layerParameters;
        _summary.Add(Line(depth, layer, output, layer.Describe(), layerParameters));
        return output;

        ActivationShape Pool(int kernel, int stride)
        {
            RequirePositive(kernel, "kernel size");
            RequirePositive(stride, "stride");
            var image = RequireImage("pooling works on images.");
            if (image.Height < kernel || image.Width < kernel)
            {
                throw Fail($"receives {input}, smaller than its {kernel}x{kernel} window: the input image is too small for this network.");
            }

            return ActivationShape.Spatial(new ImageShape(image.Channels, (image.Height - kernel) / stride + 1, (image.Width - kernel) / stride + 1));
        }
    }

    private static string Line(int depth, LayerSpec layer, ActivationShape output, string description, long parameters)
    {
        string name = new string(' ', 2 * (depth + 1)) + layer.Name;
        if (layer is ResidualBlock block)
        {
            description = block.Describe();
        }

        return string.Create(CultureInfo.InvariantCulture, $"{name,-24} {description,-44} -> {output,-18} {(parameters > 0 ? parameters.ToString("N0", CultureInfo.InvariantCulture) : "")}");
    }
}

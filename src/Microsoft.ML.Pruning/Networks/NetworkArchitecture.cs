using System.Globalization;
using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// An immutable recipe for a network, independent of the data: <see cref="Define(int, ImageShape?, int)"/> turns it into a
/// <see cref="NetworkDefinition"/> for a given input size and class count. Two architectures are equal when their
/// parseable <see cref="Name"/>s are.
/// </summary>
/// <remarks>
/// <para>Built-ins (parseable names in brackets):</para>
/// <list type="bullet">
/// <item><see cref="Mlp"/> [<c>mlp:h1,h2,..</c>] and <see cref="LeNet300"/> [<c>lenet300</c>]: Linear + ReLU layers.</item>
/// <item><see cref="LeNet5"/> [<c>lenet5</c>]: two 5x5 convolutions and three Linear layers.</item>
/// <item><see cref="Conv2"/>, <see cref="Conv4"/>, <see cref="Conv6"/> [<c>conv2</c>, <c>conv4</c>, <c>conv6</c>]: the
/// lottery-ticket paper's CIFAR networks (Frankle and Carbin 2019).</item>
/// <item><see cref="Vgg11"/>, <see cref="Vgg16"/> [<c>vgg11</c>, <c>vgg16</c>]: CIFAR VGG with BatchNorm (as in open_lth).</item>
/// <item><see cref="ResNet20"/> [<c>resnet20</c>]: CIFAR ResNet-20 (He et al. 2016) with 1x1 convolution shortcuts.</item>
/// </list>
/// <para>Convolutional architectures need the input's image shape; all of them start with a <see cref="ReshapeLayer"/>
/// named <c>reshape</c>, because the network input is always flat <c>[N, F]</c>.</para>
/// </remarks>
public sealed class NetworkArchitecture : IEquatable<NetworkArchitecture>
{
    private static readonly int[] LeNet300Hidden = { 300, 100 };
    private readonly Func<int, ImageShape?, int, IReadOnlyList<LayerSpec>> _layers;

    private NetworkArchitecture(string name, bool needsImageShape, Func<int, ImageShape?, int, IReadOnlyList<LayerSpec>> layers)
    {
        Name = name;
        NeedsImageShape = needsImageShape;
        _layers = layers;
    }

    /// <summary>The parseable name, e.g. <c>lenet300</c>, <c>mlp:512,256</c>, <c>conv4</c>, <c>conv4:dropout=0.5</c>.</summary>
    public string Name { get; }

    /// <summary>True for convolutional architectures, which need the input's <see cref="ImageShape"/>.</summary>
    public bool NeedsImageShape { get; }

    /// <summary>The names <see cref="Parse"/> accepts, as shown in help texts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = Array.AsReadOnly(new[]
    {
        "lenet300", "mlp:<h1>,<h2>,..", "lenet5", "conv2", "conv4", "conv6", "vgg11", "vgg16", "resnet20",
    });

    /// <summary>
    /// A multi-layer perceptron: for each hidden width a Linear layer and a ReLU (<c>fc1</c>, <c>fc1_relu</c>, ...), then a
    /// Linear layer to the classes. With no widths, LeNet-300-100 (300, 100).
    /// </summary>
    /// <param name="hidden">Hidden layer widths, each positive; none for the LeNet-300-100 default.</param>
    /// <remarks>An MLP with hidden widths 300, 100 is named <c>lenet300</c>, so <c>Mlp(300, 100)</c> equals <see cref="LeNet300"/>.</remarks>
    public static NetworkArchitecture Mlp(params int[] hidden)
    {
        var widths = hidden is null || hidden.Length == 0 ? LeNet300Hidden : (int[])hidden.Clone();
        if (widths.Any(w => w <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(hidden), $"MLP hidden widths must be positive; got {string.Join(",", widths)}.");
        }

        string name = widths.SequenceEqual(LeNet300Hidden) ? "lenet300" : "mlp:" + string.Join(",", widths.Select(w => w.ToString(CultureInfo.InvariantCulture)));
        return new NetworkArchitecture(name, needsImageShape: false, (features, _, classes) =>
        {
            var layers = new List<LayerSpec>();
            int width = features;
            for (int i = 0; i < widths.Length; i++)
            {
                layers.Add(new LinearLayer($"fc{i + 1}", width, widths[i]));
                layers.Add(new ReluLayer($"fc{i + 1}_relu"));
                width = widths[i];
            }

            layers.Add(new LinearLayer($"fc{widths.Length + 1}", width, classes));
            return layers;
        });
    }

    /// <summary>LeNet-300-100 (LeCun et al. 1998; the lottery-ticket paper's MNIST network): <c>Mlp(300, 100)</c>.</summary>
    public static NetworkArchitecture LeNet300() => Mlp(LeNet300Hidden);

    /// <summary>
    /// LeNet-5: conv 6@5x5 pad 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2, flatten, Linear 120, ReLU, Linear 84,
    /// ReLU, Linear to the classes. Padding 2 makes a 28x28 image behave like the original 32x32 input; the flatten
    /// size follows the input (16x5x5 for 1x28x28, 16x6x6 for 3x32x32). Needs images of at least 12x12.
    /// </summary>
    public static NetworkArchitecture LeNet5() => new("lenet5", needsImageShape: true, (features, shape, classes) =>
    {
        var image = shape!.Value;
        var layers = new List<LayerSpec>
        {
            new ReshapeLayer("reshape", image),
            new Conv2dLayer("conv1", image.Channels, 6, KernelSize: 5, Padding: 2),
            new ReluLayer("conv1_relu"),
            new MaxPool2dLayer("pool1", 2, 2),
            new Conv2dLayer("conv2", 6, 16, KernelSize: 5),
            new ReluLayer("conv2_relu"),
            new MaxPool2dLayer("pool2", 2, 2),
            new FlattenLayer("flatten"),
        };
        // conv1 keeps the size (5x5, pad 2), each pool halves it, conv2 takes 4 off. Too small an image fails
        // validation at conv2 or pool2, before this size matters.
        int height = (image.Height / 2 - 4) / 2, width = (image.Width / 2 - 4) / 2;
        layers.Add(new LinearLayer("fc1", 16 * Math.Max(height, 1) * Math.Max(width, 1), 120));
        layers.Add(new ReluLayer("fc1_relu"));
        layers.Add(new LinearLayer("fc2", 120, 84));
        layers.Add(new ReluLayer("fc2_relu"));
        layers.Add(new LinearLayer("fc3", 84, classes));
        return layers;
    });

    /// <summary>The lottery-ticket paper's Conv-2: conv 64, 64, max-pool; Linear 256, 256, classes (3x3 convs, padding 1).</summary>
    /// <param name="dropout">Drop probability after each hidden Linear layer's ReLU; 0 (the default) adds no dropout layers.</param>
    public static NetworkArchitecture Conv2(double dropout = 0) => Conv(2, dropout);

    /// <summary>The lottery-ticket paper's Conv-4: conv 64, 64, max-pool, 128, 128, max-pool; Linear 256, 256, classes.</summary>
    /// <param name="dropout">Drop probability after each hidden Linear layer's ReLU; 0 (the default) adds no dropout layers.</param>
    public static NetworkArchitecture Conv4(double dropout = 0) => Conv(4, dropout);

    /// <summary>The lottery-ticket paper's Conv-6: conv 64, 64, max-pool, 128, 128, max-pool, 256, 256, max-pool; Linear 256, 256, classes.</summary>
    /// <param name="dropout">Drop probability after each hidden Linear layer's ReLU; 0 (the default) adds no dropout layers.</param>
    public static NetworkArchitecture Conv6(double dropout = 0) => Conv(6, dropout);

    /// <summary>
    /// The lottery-ticket paper's Conv-2, -4 or -6: pairs of 3x3 convolutions (padding 1, bias, ReLU) of 64, 128, 256
    /// channels, each pair followed by a 2x2 max-pool; then flatten, Linear 256, ReLU, Linear 256, ReLU, Linear to the
    /// classes. Layers: <c>conv1..convN</c>, <c>pool1..</c>, <c>flatten</c>, <c>fc1..fc3</c>.
    /// </summary>
    /// <param name="depth">2, 4 or 6 convolutions.</param>
    /// <param name="dropout">Drop probability after each hidden Linear layer's ReLU (<c>fc1_dropout</c>, <c>fc2_dropout</c>);
    /// 0 (the default) adds no dropout layers.</param>
    public static NetworkArchitecture Conv(int depth, double dropout = 0)
    {
        if (depth is not (2 or 4 or 6))
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "The lottery-ticket Conv networks have 2, 4 or 6 convolutions.");
        }

        if (!(dropout >= 0 && dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The drop probability must be in [0, 1).");
        }

        string name = dropout == 0 ? $"conv{depth}" : FormattableString.Invariant($"conv{depth}:dropout={dropout:R}");
        return new NetworkArchitecture(name, needsImageShape: true, (features, shape, classes) =>
        {
            var image = shape!.Value;
            var layers = new List<LayerSpec> { new ReshapeLayer("reshape", image) };
            int channels = image.Channels, height = image.Height, width = image.Width;
            for (int i = 0; i < depth; i++)
            {
                int outChannels = 64 << (i / 2);
                layers.Add(new Conv2dLayer($"conv{i + 1}", channels, outChannels, KernelSize: 3, Padding: 1));
                layers.Add(new ReluLayer($"conv{i + 1}_relu"));
                channels = outChannels;
                if (i % 2 == 1)
                {
                    layers.Add(new MaxPool2dLayer($"pool{i / 2 + 1}", 2, 2));
                    height /= 2;
                    width /= 2;
                }
            }

            layers.Add(new FlattenLayer("flatten"));
            int flat = channels * height * width;
            foreach (var (layer, inWidth) in new[] { ("fc1", flat), ("fc2", 256) })
            {
                layers.Add(new LinearLayer(layer, inWidth, 256));
                layers.Add(new ReluLayer(layer + "_relu"));
                if (dropout > 0)
                {
                    layers.Add(new DropoutLayer(layer + "_dropout", dropout));
                }
            }

            layers.Add(new LinearLayer("fc3", 256, classes));
            return layers;
        });
    }

    /// <summary>CIFAR VGG-11 with BatchNorm; see <see cref="Vgg(int)"/>.</summary>
    public static NetworkArchitecture Vgg11() => Vgg(11);

    /// <summary>CIFAR VGG-16 with BatchNorm; see <see cref="Vgg(int)"/>.</summary>
    public static NetworkArchitecture Vgg16() => Vgg(16);

    /// <summary>
    /// CIFAR-style VGG (as in open_lth): 3x3 convolutions (padding 1, no bias) each followed by BatchNorm and ReLU, with
    /// 2x2 max-pools between the five groups (four pools); then a global average pool and one Linear layer from 512
    /// features to the classes. Widths: VGG-11 64 | 128 | 256, 256 | 512, 512 | 512, 512; VGG-16 64, 64 | 128, 128 |
    /// 256, 256, 256 | 512, 512, 512 | 512, 512, 512. On 32x32 images the last group sees 2x2 maps; the global average
    /// pool (rather than a flatten) lets the same network take any image of at least 16x16.
    /// Layers: <c>conv1..</c>, <c>conv1_bn</c>, <c>conv1_relu</c>, <c>pool1..pool4</c>, <c>global_pool</c>, <c>fc</c>.
    /// </summary>
    /// <param name="depth">11 or 16.</param>
    public static NetworkArchitecture Vgg(int depth)
    {
        int[][] groups = depth switch
        {
            11 => new[] { new[] { 64 }, new[] { 128 }, new[] { 256, 256 }, new[] { 512, 512 }, new[] { 512, 512 } },
            16 => new[] { new[] { 64, 64 }, new[] { 128, 128 }, new[] { 256, 256, 256 }, new[] { 512, 512, 512 }, new[] { 512, 512, 512 } },
            _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "The built-in VGG networks are VGG-11 and VGG-16."),
        };
        return new NetworkArchitecture($"vgg{depth}", needsImageShape: true, (features, shape, classes) =>
        {
            var image = shape!.Value;
            var layers = new List<LayerSpec> { new ReshapeLayer("reshape", image) };
            int channels = image.Channels, index = 0;
            for (int g = 0; g < groups.Length; g++)
            {
                if (g > 0)
                {
                    layers.Add(new MaxPool2dLayer($"pool{g}", 2, 2));
                }

                foreach (int width in groups[g])
                {
                    string conv = $"conv{++index}";
                    layers.Add(new Conv2dLayer(conv, channels, width, KernelSize: 3, Padding: 1, Bias: false));
                    layers.Add(new BatchNormLayer(conv + "_bn", width, Spatial: true));
                    layers.Add(new ReluLayer(conv + "_relu"));
                    channels = width;
                }
            }

            layers.Add(new GlobalAvgPoolLayer("global_pool"));
            layers.Add(new LinearLayer("fc", channels, classes));
            return layers;
        });
    }

    /// <summary>
    /// CIFAR ResNet-20 (He et al. 2016): conv 16 3x3 + BatchNorm + ReLU; three stages of three basic blocks with 16, 32,
    /// 64 channels (the first block of stages 2 and 3 has stride 2, and a 1x1 convolution + BatchNorm shortcut because
    /// the shape changes; other shortcuts are the identity); global average pool; Linear to the classes. Convolutions
    /// have no bias. About 0.27M parameters. Layers: <c>conv1</c>, <c>conv1_bn</c>, <c>conv1_relu</c>,
    /// <c>stage{s}_block{b}</c> (blocks holding <c>conv1</c>, <c>conv1_bn</c>, <c>conv1_relu</c>, <c>conv2</c>,
    /// <c>conv2_bn</c> and, where needed, <c>shortcut_conv</c>, <c>shortcut_bn</c>), <c>global_pool</c>, <c>fc</c>.
    /// </summary>
    public static NetworkArchitecture ResNet20() => new("resnet20", needsImageShape: true, (features, shape, classes) =>
    {
        var image = shape!.Value;
        var layers = new List<LayerSpec>
        {
            new ReshapeLayer("reshape", image),
            new Conv2dLayer("conv1", image.Channels, 16, KernelSize: 3, Padding: 1, Bias: false),
            new BatchNormLayer("conv1_bn", 16, Spatial: true),
            new ReluLayer("conv1_relu"),
        };
        int channels = 16;
        for (int stage = 1; stage <= 3; stage++)
        {
            int width = 16 << (stage - 1);
            for (int block = 0; block < 3; block++)
            {
                int stride = stage > 1 && block == 0 ? 2 : 1;
                var main = new LayerSpec[]
                {
                    new Conv2dLayer("conv1", channels, width, KernelSize: 3, Stride: stride, Padding: 1, Bias: false),
                    new BatchNormLayer("conv1_bn", width, Spatial: true),
                    new ReluLayer("conv1_relu"),
                    new Conv2dLayer("conv2", width, width, KernelSize: 3, Padding: 1, Bias: false),
                    new BatchNormLayer("conv2_bn", width, Spatial: true),
                };
                var shortcut = stride == 1 && channels == width
                    ? Array.Empty<LayerSpec>()
                    : new LayerSpec[]
                    {
                        new Conv2dLayer("shortcut_conv", channels, width, KernelSize: 1, Stride: stride, Bias: false),
                        new BatchNormLayer("shortcut_bn", width, Spatial: true),
                    };
                layers.Add(new ResidualBlock($"stage{stage}_block{block}", main, shortcut));
                channels = width;
            }
        }

        layers.Add(new GlobalAvgPoolLayer("global_pool"));
        layers.Add(new LinearLayer("fc", channels, classes));
        return layers;
    });

    /// <summary>
    /// Parses a name as the CLI takes it (case-insensitive): <c>lenet300</c>, <c>mlp:&lt;h1&gt;,&lt;h2&gt;,..</c>,
    /// <c>lenet5</c>, <c>conv2</c>, <c>conv4</c>, <c>conv6</c> (optionally <c>conv4:dropout=0.5</c>), <c>vgg11</c>,
    /// <c>vgg16</c>, <c>resnet20</c>. <c>Parse(a.ToString())</c> equals <c>a</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of these; the message lists the valid names.</exception>
    public static NetworkArchitecture Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string text = name.Trim().ToLowerInvariant();
        int colon = text.IndexOf(':');
        string head = colon < 0 ? text : text[..colon];
        string? options = colon < 0 ? null : text[(colon + 1)..].Trim();

        NetworkArchitecture? result = (head, options) switch
        {
            ("lenet300", null) => LeNet300(),
            ("lenet5", null) => LeNet5(),
            ("mlp", { } widths) => ParseMlp(widths, name),
            ("conv2" or "conv4" or "conv6", null) => Conv(head[4] - '0'),
            ("conv2" or "conv4" or "conv6", { } opts) => Conv(head[4] - '0', ParseDropout(opts, name)),
            ("vgg11", null) => Vgg11(),
            ("vgg16", null) => Vgg16(),
            ("resnet20", null) => ResNet20(),
            _ => null,
        };
        return result ?? throw Unknown(name, reason: null);
    }

    /// <summary>Describes the network for the rows of <paramref name="data"/>: its feature count, image shape and classes.</summary>
    /// <param name="data">The data the network will train on.</param>
    /// <exception cref="ArgumentException">See <see cref="Define(int, ImageShape?, int)"/>.</exception>
    public NetworkDefinition Define(InMemoryDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Define(data.FeatureCount, data.Shape, data.ClassCount);
    }

    /// <summary>
    /// Describes the network for an input of <paramref name="inputFeatures"/> features (laid out as
    /// <paramref name="inputShape"/>, for convolutional architectures) and <paramref name="classCount"/> classes.
    /// </summary>
    /// <param name="inputFeatures">Features per input row.</param>
    /// <param name="inputShape">The image layout of a row (C, H, W); required when <see cref="NeedsImageShape"/>.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <exception cref="ArgumentException">A convolutional architecture got no image shape, the image is too small for its
    /// pooling, or the sizes disagree; the message says which and by how much.</exception>
    public NetworkDefinition Define(int inputFeatures, ImageShape? inputShape, int classCount)
    {
        if (inputFeatures <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, $"Architecture '{Name}': the input feature count must be positive.");
        }

        if (classCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"Architecture '{Name}': the class count must be positive.");
        }

        if (inputShape is { } shape && shape.Size != inputFeatures)
        {
            throw new ArgumentException(
                $"Architecture '{Name}': image shape {shape} holds {shape.Size} values but the input has {inputFeatures} features.", nameof(inputShape));
        }

        if (NeedsImageShape && inputShape is null)
        {
            throw new ArgumentException(
                $"Architecture '{Name}' is convolutional and needs the input's image shape (C,H,W), e.g. 1,28,28 or 3,32,32; " +
                $"the input has {inputFeatures} features and no image shape was given.", nameof(inputShape));
        }

        try
        {
            return new NetworkDefinition(Name, inputFeatures, inputShape, classCount, _layers(inputFeatures, inputShape, classCount));
        }
        catch (ArgumentException e) when (NeedsImageShape && inputShape is { } image)
        {
            throw new ArgumentException($"Architecture '{Name}' cannot take {image} input images: {e.Message}", nameof(inputShape), e);
        }
    }

    /// <inheritdoc />
    public bool Equals(NetworkArchitecture? other) => other is not null && Name == other.Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NetworkArchitecture);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>The parseable name (<see cref="Name"/>).</summary>
    public override string ToString() => Name;

    /// <summary>Equal when the parseable names are.</summary>
    public static bool operator ==(NetworkArchitecture? left, NetworkArchitecture? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Different when the parseable names are.</summary>
    public static bool operator !=(NetworkArchitecture? left, NetworkArchitecture? right) => !(left == right);

    private static NetworkArchitecture ParseMlp(string widths, string name)
    {
        var parts = widths.Split(',', StringSplitOptions.TrimEntries);
        var hidden = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out hidden[i]) || hidden[i] <= 0)
            {
                throw Unknown(name, $"'mlp:' must be followed by positive hidden widths separated by commas (e.g. mlp:300,100), not '{widths}'");
            }
        }

        return Mlp(hidden);
    }

    private static double ParseDropout(string options, string name)
    {
        const string prefix = "dropout=";
        if (options.StartsWith(prefix, StringComparison.Ordinal) &&
            double.TryParse(options[prefix.Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p >= 0 && p < 1)
        {
            return p;
        }

        throw Unknown(name, $"the only option of a Conv network is 'dropout=<p>' with p in [0, 1) (e.g. conv4:dropout=0.5), not '{options}'");
    }

    private static ArgumentException Unknown(string name, string? reason) =>
        new($"Unknown network architecture '{name}'{(reason is null ? "" : $": {reason}")}. Valid names: {string.Join(", ", KnownNames)}.", nameof(name));
}

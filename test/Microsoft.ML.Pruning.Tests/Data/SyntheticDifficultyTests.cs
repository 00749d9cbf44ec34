using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.Pruning.Tests.Data;

/// <summary>
/// The synthetic sets must reward convolutional features: a linear model (multinomial logistic regression) has
/// to stay well below a small CNN trained on the same rows, or pruning experiments on them would say little.
/// Kept small (3,000 training rows, a few epochs) so each test runs in seconds on two CPU cores.
/// </summary>
public sealed class SyntheticDifficultyTests
{
    private const int TrainRows = 3000;
    private const int TestRows = 1000;
    private readonly ITestOutputHelper _output;

    public SyntheticDifficultyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Digits_need_more_than_a_linear_model()
    {
        var data = SyntheticDigits.Generate(TrainRows + TestRows, seed: 11);
        var (train, test) = (data.Slice(0, TrainRows), data.Slice(TrainRows, TestRows));

        double linear = TrainAndTest("linear", () => Sequential(Flatten(), Linear(784, 10)), train, test, epochs: 6);
        double cnn = TrainAndTest("cnn", () => Sequential(
            Conv2d(1, 16, 5), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 5), ReLU(), MaxPool2d(2),
            Flatten(), Linear(32 * 4 * 4, 64), ReLU(), Linear(64, 10)), train, test, epochs: 3);

        Assert.InRange(linear, 0.4, 0.85);
        Assert.True(cnn >= 0.9, $"A small CNN reached only {cnn:P1} on synthetic digits; they should be learnable.");
        Assert.True(cnn - linear >= 0.10, $"Linear {linear:P1} vs CNN {cnn:P1}: the digits are too easy for a linear model.");
    }

    [Fact]
    public void Shapes_need_more_than_a_linear_model()
    {
        var data = SyntheticShapes.Generate(TrainRows + TestRows, seed: 11);
        var (train, test) = (data.Slice(0, TrainRows), data.Slice(TrainRows, TestRows));

        double linear = TrainAndTest("linear", () => Sequential(Flatten(), Linear(3 * 32 * 32, 10)), train, test, epochs: 6);
        double cnn = TrainAndTest("cnn", () => Sequential(
            Conv2d(3, 16, 3, padding: 1), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 3, padding: 1), ReLU(), MaxPool2d(2),
            Conv2d(32, 32, 3, padding: 1), ReLU(), AdaptiveMaxPool2d(new long[] { 1, 1 }),
            Flatten(), Linear(32, 10)), train, test, epochs: 10);

        Assert.True(linear <= 0.6, $"A linear model reached {linear:P1} on synthetic shapes; colour or position gives the class away.");
        Assert.True(cnn - linear >= 0.10, $"Linear {linear:P1} vs CNN {cnn:P1}: a small CNN should do clearly better.");
    }

    private double TrainAndTest(string name, Func<Module<Tensor, Tensor>> build, InMemoryDataset train, InMemoryDataset test, int epochs)
    {
        Microsoft.ML.Pruning.Native.TorchSharpNativeLoader.EnsureLoaded();
        var watch = Stopwatch.StartNew();
        torch.random.manual_seed(1);
        using var model = build();
        var shape = train.Shape!.Value;
        long[] imageShape = { -1, shape.Channels, shape.Height, shape.Width };
        using var optimizer = optim.Adam(model.parameters(), lr: 0.003);
        using var batches = new TensorBatches(train, seed: 1);
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var (x, y) in batches.Batches(64, epoch, shuffle: true))
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                functional.cross_entropy(model.forward(x.view(imageShape)), y).backward();
                optimizer.step();
            }
        }

        model.eval();
        using var noGrad = torch.no_grad();
        using var testScope = torch.NewDisposeScope();
        var (features, labels) = test.ToTensors();
        double accuracy = model.forward(features.view(imageShape)).argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>();
        _output.WriteLine($"{train.Name} {name}: test accuracy {accuracy:P1} after {epochs} epochs on {train.Count} rows ({watch.Elapsed.TotalSeconds:F1} s)");
        return accuracy;
    }
}

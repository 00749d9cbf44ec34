using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class PrunableOutputObserverTests
{
    public static TheoryData<string, string, int, int> BuiltIns => NetworkTestCases.BuiltIns;

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Observer_SeesEachPrunableLayerOnceInForwardOrder(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();
        var seen = new List<(int Index, long[] Shape)>();
        network.PrunableOutputObserver = (index, output) => seen.Add((index, output.shape));

        network.eval();
        using (no_grad())
        {
            network.call(NetworkTestCases.Input(3, features));
        }

        Assert.Equal(Enumerable.Range(0, definition.PrunableLayers.Count), seen.Select(s => s.Index));
        for (int i = 0; i < seen.Count; i++)
        {
            var info = definition.PrunableLayers[i];
            Assert.Equal(3, seen[i].Shape[0]);
            Assert.Equal(info.WeightShape[0], seen[i].Shape[1]); // output features or channels
            Assert.Equal(info.Kind == PrunableLayerKind.Conv2d ? 4 : 2, seen[i].Shape.Length);
        }
    }

    [Fact]
    public void Observer_GetsConvOutputsBeforePoolingWithTheirSpatialSize()
    {
        var definition = NetworkArchitecture.LeNet5().Define(784, new ImageShape(1, 28, 28), 10);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();
        var shapes = new List<long[]>();
        network.PrunableOutputObserver = (_, output) => shapes.Add(output.shape);

        network.call(NetworkTestCases.Input(2, 784));

        Assert.Equal(new long[] { 2, 6, 28, 28 }, shapes[0]);
        Assert.Equal(new long[] { 2, 16, 10, 10 }, shapes[1]);
        Assert.Equal(new long[] { 2, 120 }, shapes[2]);
    }

    [Fact]
    public void Observer_GetsThePreActivationOutput()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        using var scope = NewDisposeScope();
        var input = NetworkTestCases.Input(4, 784);
        Tensor? observed = null;
        network.PrunableOutputObserver = (index, output) =>
        {
            if (index == 0)
            {
                observed = output.detach().clone();
            }
        };

        using (no_grad())
        {
            network.call(input);
        }

        var fc1 = network.PrunableLayers[0];
        var expected = nn.functional.linear(input, fc1.Weight, fc1.Bias);
        Assert.NotNull(observed);
        Assert.True(observed!.allclose(expected));
        Assert.True(observed.lt(0).any().item<bool>()); // before the ReLU
    }

    [Fact]
    public void Observer_GetsResNetConvOutputsBeforeBatchNorm()
    {
        var definition = NetworkArchitecture.ResNet20().Define(3072, new ImageShape(3, 32, 32), 10);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();
        var input = NetworkTestCases.Input(2, 3072);
        Tensor? observed = null;
        network.PrunableOutputObserver = (index, output) => observed ??= output.detach().clone();

        network.eval();
        using (no_grad())
        {
            network.call(input);
        }

        var conv1 = network.PrunableLayers[0];
        var expected = nn.functional.conv2d(input.reshape(2, 3, 32, 32), conv1.Weight, padding: new long[] { 1, 1 });
        Assert.True(observed!.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Observer_CanBeRemoved()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        using var scope = NewDisposeScope();
        int calls = 0;
        network.PrunableOutputObserver = (_, _) => calls++;
        network.call(NetworkTestCases.Input(2, 784));
        network.PrunableOutputObserver = null;
        network.call(NetworkTestCases.Input(2, 784));

        Assert.Equal(3, calls);
    }
}

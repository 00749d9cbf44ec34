using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class InitializationDeterminismTests
{
    public InitializationDeterminismTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string, string, int, int> Cases => new()
    {
        { "lenet300", "", 784, 10 },
        { "lenet5", "1,28,28", 784, 10 },
        { "conv4", "3,32,32", 3072, 10 },
        { "resnet20", "3,32,32", 3072, 10 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameSeed_GivesBitIdenticalState(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var a = NetworkBuilder.Build(definition, seed: 42);
        torch.random.manual_seed(12345); // the global generator must not matter
        using var b = NetworkBuilder.Build(definition, seed: 42);

        Assert.True(NetworkTestCases.StatesEqual(a.state_dict(), b.state_dict()));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DifferentSeeds_GiveDifferentWeightsInEveryPrunableLayer(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var a = NetworkBuilder.Build(definition, seed: 1);
        using var b = NetworkBuilder.Build(definition, seed: 2);

        for (int i = 0; i < a.PrunableLayers.Count; i++)
        {
            Assert.False(NetworkTestCases.BitEqual(a.PrunableLayers[i].Weight, b.PrunableLayers[i].Weight), a.PrunableLayers[i].Name);
        }
    }

    [Fact]
    public void Initialisation_FollowsPyTorchDefaults()
    {
        var definition = NetworkArchitecture.Vgg11().Define(3072, new ImageShape(3, 32, 32), 10);
        using var network = NetworkBuilder.Build(definition, seed: 5);
        using var scope = NewDisposeScope();

        foreach (var layer in network.PrunableLayers)
        {
            // Uniform in +-1/sqrt(fan_in), fan_in = in * k * k.
            double bound = 1 / Math.Sqrt(layer.Info.WeightShape.Skip(1).Aggregate(1L, (x, y) => x * y));
            Assert.True(layer.Weight.abs().max().item<float>() <= bound, layer.Name);
            Assert.True(layer.Weight.abs().max().item<float>() > bound * 0.9, layer.Name);
        }

        var state = network.state_dict();
        Assert.True(state["conv1_bn.weight"].eq(1).all().item<bool>());
        Assert.True(state["conv1_bn.bias"].eq(0).all().item<bool>());
        Assert.True(state["conv1_bn.running_var"].eq(1).all().item<bool>());
    }

    [Fact]
    public void ConcurrentBuilds_WithTheSameSeed_AreIdentical()
    {
        var definition = NetworkArchitecture.Conv2().Define(784, new ImageShape(1, 28, 28), 10);
        var states = new Dictionary<string, Tensor>[4];

        Parallel.For(0, states.Length, i =>
        {
            using var network = NetworkBuilder.Build(definition, seed: 9);
            states[i] = network.SnapshotState();
        });

        try
        {
            Assert.All(states.Skip(1), s => Assert.True(NetworkTestCases.StatesEqual(states[0], s)));
        }
        finally
        {
            foreach (var tensor in states.SelectMany(s => s.Values))
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void Build_InsideADisposeScope_KeepsTheParametersAliveAfterTheScope()
    {
        PrunableNetwork network;
        using (NewDisposeScope())
        {
            network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        }

        using (network)
        using (NewDisposeScope())
        {
            Assert.Equal(new long[] { 3, 10 }, network.call(NetworkTestCases.Input(3, 784)).shape);
        }
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class TrainEvalModeTests
{
    public TrainEvalModeTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void Dropout_IsActiveInTrainingAndOffInEvaluation()
    {
        var definition = NetworkArchitecture.Conv2(dropout: 0.5).Define(64, new ImageShape(1, 8, 8), 4);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();
        var input = NetworkTestCases.Input(3, 64);
        using var noGrad = no_grad();

        Assert.Contains(definition.Layers, l => l is DropoutLayer { Name: "fc1_dropout", P: 0.5 });
        Assert.True(network.training);
        torch.random.manual_seed(1);
        var first = network.call(input);
        var second = network.call(input);
        Assert.False(NetworkTestCases.BitEqual(first, second));

        network.eval();
        Assert.True(NetworkTestCases.BitEqual(network.call(input), network.call(input)));
    }

    [Fact]
    public void BatchNorm_UpdatesRunningStatisticsOnlyInTraining_EvenInsideResidualBlocks()
    {
        var definition = NetworkArchitecture.ResNet20().Define(3 * 16 * 16, new ImageShape(3, 16, 16), 10);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();
        var input = NetworkTestCases.Input(4, 3 * 16 * 16);
        using var noGrad = no_grad();
        const string key = "stage3_block2.conv2_bn.running_mean";

        network.eval();
        Assert.All(network.modules(), m => Assert.False(m.training));
        var before = network.state_dict()[key].clone();
        network.call(input);
        Assert.True(NetworkTestCases.BitEqual(before, network.state_dict()[key]));

        network.train();
        Assert.All(network.modules(), m => Assert.True(m.training));
        network.call(input);
        Assert.False(NetworkTestCases.BitEqual(before, network.state_dict()[key]));
        var tracked = network.state_dict()["stage3_block2.conv2_bn.num_batches_tracked"];
        Assert.Equal(ScalarType.Int64, tracked.dtype); // as in PyTorch
        Assert.Equal(1L, tracked.item<long>());
    }
}

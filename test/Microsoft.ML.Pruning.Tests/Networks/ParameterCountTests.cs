using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class ParameterCountTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    public static TheoryData<string, string, int, int> BuiltIns => NetworkTestCases.BuiltIns;

    [Fact]
    public void LeNet300_On784InputsAnd10Classes_Has266610Parameters()
    {
        var definition = NetworkArchitecture.LeNet300().Define(784, null, 10);

        // 784*300 + 300 + 300*100 + 100 + 100*10 + 10
        Assert.Equal(266_610, definition.ParameterCount);
        Assert.Equal(266_200, definition.PrunableWeightCount);
    }

    [Theory]
    // Exact counts of the architectures as the lottery-ticket paper describes them (3x3 convs, 2x2 pools, FC 256, 256, 10).
    [InlineData(2, 4_300_992)]
    [InlineData(4, 2_425_024)]
    [InlineData(6, 2_261_184)]
    public void ConvNets_OnCifar_HaveTheExactPrunableWeightCount(int depth, long weights)
    {
        var definition = NetworkArchitecture.Conv(depth).Define(Cifar.Size, Cifar, 10);

        Assert.Equal(weights, definition.PrunableWeightCount);
    }

    [Theory]
    // Frankle and Carbin (2019), figure 2: Conv-2 4.3M, Conv-4 2.4M weights, to the paper's rounding. The paper's
    // Conv-6 figure (1.7M) does not follow from its own layer list (2.26M); see the test above.
    [InlineData(2, 4.3e6, 0.01)]
    [InlineData(4, 2.4e6, 0.05e6 / 2.4e6)]
    public void ConvNets_OnCifar_MatchTheLotteryTicketPaper(int depth, double paperWeights, double relativeTolerance)
    {
        var definition = NetworkArchitecture.Conv(depth).Define(Cifar.Size, Cifar, 10);

        Assert.InRange(definition.PrunableWeightCount, paperWeights * (1 - relativeTolerance), paperWeights * (1 + relativeTolerance));
    }

    [Fact]
    public void ResNet20_OnCifar_HasAbout270kParameters()
    {
        var definition = NetworkArchitecture.ResNet20().Define(Cifar.Size, Cifar, 10);

        // He et al. (2016) give 0.27M; 1x1 convolution shortcuts with BatchNorm add 2,880 to the padding shortcut's count.
        Assert.Equal(272_474, definition.ParameterCount);
        Assert.InRange(definition.ParameterCount, 0.27e6 * 0.99, 0.27e6 * 1.01);
    }

    [Fact]
    public void Vgg_OnCifar_HasTheCifarVggCounts()
    {
        Assert.Equal(9_228_362, NetworkArchitecture.Vgg11().Define(Cifar.Size, Cifar, 10).ParameterCount);
        Assert.Equal(14_724_042, NetworkArchitecture.Vgg16().Define(Cifar.Size, Cifar, 10).ParameterCount);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void DefinitionCounts_MatchTheBuiltModule(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 3);

        Assert.Equal(definition.ParameterCount, network.parameters().Sum(p => p.numel()));
        Assert.Equal(definition.PrunableWeightCount, network.PrunableLayers.Sum(l => l.Weight.numel()));
    }
}

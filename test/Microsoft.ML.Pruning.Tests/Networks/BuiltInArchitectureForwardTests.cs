using Microsoft.ML.Pruning.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class BuiltInArchitectureForwardTests
{
    public static TheoryData<string, string, int, int> BuiltIns => NetworkTestCases.BuiltIns;

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Forward_GivesOneRowOfFiniteLogitsPerInputRow(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();

        network.eval();
        using (no_grad())
        {
            var single = network.call(NetworkTestCases.Input(1, features));
            Assert.Equal(new long[] { 1, classes }, single.shape);
            Assert.True(single.isfinite().all().item<bool>());
        }

        network.train();
        var batch = network.call(NetworkTestCases.Input(5, features));
        Assert.Equal(new long[] { 5, classes }, batch.shape);
        Assert.True(batch.isfinite().all().item<bool>());
        Assert.Equal(ScalarType.Float32, batch.dtype);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Backward_ReachesEveryPrunableWeight(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var scope = NewDisposeScope();

        var logits = network.call(NetworkTestCases.Input(4, features));
        var loss = nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1, 2, 0 }));
        loss.backward();

        foreach (var layer in network.PrunableLayers)
        {
            var grad = layer.Weight.grad;
            Assert.NotNull(grad);
            Assert.Equal(layer.Info.WeightShape, grad!.shape);
        }
    }

    [Fact]
    public void Forward_RejectsInputOfTheWrongWidthOrType()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        using var scope = NewDisposeScope();

        var error = Assert.Throws<ArgumentException>(() => network.call(NetworkTestCases.Input(2, 783)));
        Assert.Contains("[N, 784]", error.Message);
        Assert.Contains("[2, 783]", error.Message);
        var typeError = Assert.Throws<ArgumentException>(() => network.call(NetworkTestCases.Input(2, 784).to_type(ScalarType.Float64)));
        Assert.Contains("Float32", typeError.Message);
    }
}

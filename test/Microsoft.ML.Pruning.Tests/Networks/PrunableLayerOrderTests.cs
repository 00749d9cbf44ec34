using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class PrunableLayerOrderTests
{
    public static TheoryData<string, string, int, int> BuiltIns => NetworkTestCases.BuiltIns;

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void PrunableLayers_AreUniqueIndexedAndMatchTheModuleParameters(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = NetworkBuilder.Build(definition, seed: 1);
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        Assert.Equal(definition.PrunableLayers.Count, network.PrunableLayers.Select(l => l.Name).Distinct().Count());
        for (int i = 0; i < network.PrunableLayers.Count; i++)
        {
            var layer = network.PrunableLayers[i];
            Assert.Equal(i, layer.Index);
            Assert.Equal(definition.PrunableLayers[i], layer.Info);
            Assert.Equal(layer.Info.WeightShape, layer.Weight.shape);
            Assert.Same(parameters[layer.Name + ".weight"], layer.Weight);
            if (layer.Bias is { } bias)
            {
                Assert.Same(parameters[layer.Name + ".bias"], bias);
            }
        }

        // The last prunable layer is the classifier.
        Assert.Equal(new long[] { classes }, network.PrunableLayers[^1].Weight.shape.Take(1));
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void PrunableLayers_AreStableAcrossDefinitionsAndBuilds(string architecture, string shape, int features, int classes)
    {
        var first = NetworkTestCases.Define(architecture, shape, features, classes);
        var second = NetworkTestCases.Define(architecture, shape, features, classes);
        using var a = NetworkBuilder.Build(first, seed: 1);
        using var b = NetworkBuilder.Build(second, seed: 2);

        Assert.Equal(first.PrunableLayers, second.PrunableLayers);
        Assert.Equal(a.PrunableLayers.Select(l => l.Name), b.PrunableLayers.Select(l => l.Name));
        Assert.Equal(a.state_dict().Keys, b.state_dict().Keys);
    }

    [Fact]
    public void LeNet300_PrunableLayersAreTheThreeLinearLayersInOrder()
    {
        var definition = NetworkArchitecture.LeNet300().Define(784, null, 10);

        Assert.Equal(new[] { "fc1", "fc2", "fc3" }, definition.PrunableLayers.Select(l => l.Name));
        Assert.Equal(new long[] { 300, 784 }, definition.PrunableLayers[0].WeightShape);
        Assert.Equal(new long[] { 10, 100 }, definition.PrunableLayers[2].WeightShape);
        Assert.All(definition.PrunableLayers, l => Assert.Equal(PrunableLayerKind.Linear, l.Kind));
        Assert.All(definition.PrunableLayers, l => Assert.True(l.OnMainPath));
    }

    [Fact]
    public void LeNet5_PrunableLayersAreConvThenLinearInForwardOrder()
    {
        var definition = NetworkArchitecture.LeNet5().Define(784, new(1, 28, 28), 10);

        Assert.Equal(new[] { "conv1", "conv2", "fc1", "fc2", "fc3" }, definition.PrunableLayers.Select(l => l.Name));
        Assert.Equal(new long[] { 6, 1, 5, 5 }, definition.PrunableLayers[0].WeightShape);
        Assert.Equal(new long[] { 120, 400 }, definition.PrunableLayers[2].WeightShape); // 16x5x5 after two pools
        Assert.Equal(new long[] { 120, 576 }, NetworkArchitecture.LeNet5().Define(3072, new(3, 32, 32), 10).PrunableLayers[2].WeightShape);
    }

    [Fact]
    public void ResNet20_ShortcutConvsAreOffTheMainPathAndFollowTheirBlocksMainPath()
    {
        var definition = NetworkArchitecture.ResNet20().Define(3072, new(3, 32, 32), 10);
        var names = definition.PrunableLayers.Select(l => l.Name).ToList();

        Assert.Equal(22, names.Count); // 1 stem + 18 block convs + 2 shortcut convs + 1 fc
        Assert.Equal("conv1", names[0]);
        Assert.Equal("fc", names[^1]);
        Assert.Equal(
            new[] { "stage2_block0.conv1", "stage2_block0.conv2", "stage2_block0.shortcut_conv", "stage2_block1.conv1" },
            names.SkipWhile(n => n != "stage2_block0.conv1").Take(4));
        var offMain = definition.PrunableLayers.Where(l => !l.OnMainPath).Select(l => l.Name);
        Assert.Equal(new[] { "stage2_block0.shortcut_conv", "stage3_block0.shortcut_conv" }, offMain);
        Assert.Equal(new long[] { 64, 32, 1, 1 }, definition.PrunableLayers.Single(l => l.Name == "stage3_block0.shortcut_conv").WeightShape);
    }

    [Fact]
    public void PrunableLayerInfo_WeightShapeCannotBeChangedFromOutside()
    {
        var shape = new long[] { 3, 4 };
        var info = new PrunableLayerInfo("fc1", PrunableLayerKind.Linear, shape, true);
        shape[0] = 99;
        info.WeightShape[1] = 99;

        Assert.Equal(new long[] { 3, 4 }, info.WeightShape);
        Assert.Equal(12, info.WeightCount);
    }
}

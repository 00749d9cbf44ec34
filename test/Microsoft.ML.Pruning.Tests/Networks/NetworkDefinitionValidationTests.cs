using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class NetworkDefinitionValidationTests
{
    [Theory]
    [InlineData("lenet5")]
    [InlineData("conv2")]
    [InlineData("conv4")]
    [InlineData("conv6")]
    [InlineData("vgg11")]
    [InlineData("vgg16")]
    [InlineData("resnet20")]
    public void ConvNet_WithoutImageShape_SaysItNeedsOneAndGivesTheFeatureCount(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkArchitecture.Parse(name).Define(3072, null, 10));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("image shape (C,H,W)", error.Message);
        Assert.Contains("3072 features", error.Message);
    }

    [Theory]
    [InlineData("conv6", "1,4,4", "pool3")]
    [InlineData("lenet5", "1,8,8", "conv2")]
    [InlineData("vgg16", "3,8,8", "pool4")]
    public void ConvNet_OnATooSmallImage_NamesTheLayer(string name, string shape, string layer)
    {
        var image = ImageShape.Parse(shape);

        var error = Assert.Throws<ArgumentException>(() => NetworkArchitecture.Parse(name).Define(image.Size, image, 10));

        Assert.Contains($"layer '{layer}'", error.Message);
        Assert.Contains("too small", error.Message);
        Assert.Contains(image.ToString(), error.Message);
    }

    [Fact]
    public void ImageShape_ThatDisagreesWithTheFeatureCount_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkArchitecture.LeNet5().Define(780, new ImageShape(1, 28, 28), 10));

        Assert.Contains("784", error.Message);
        Assert.Contains("780", error.Message);
    }

    [Fact]
    public void Mlp_IgnoresAnImageShape()
    {
        var definition = NetworkArchitecture.LeNet300().Define(784, new ImageShape(1, 28, 28), 10);

        Assert.Equal(new ImageShape(1, 28, 28), definition.InputShape);
        Assert.IsType<LinearLayer>(definition.Layers[0]);
    }

    [Fact]
    public void CustomNetwork_WithMatchingSizes_IsAccepted()
    {
        var definition = new NetworkDefinition("tiny", 16, new ImageShape(1, 4, 4), 2, new LayerSpec[]
        {
            new ReshapeLayer("reshape", new ImageShape(1, 4, 4)),
            new Conv2dLayer("conv", 1, 4, KernelSize: 3, Padding: 1),
            new BatchNormLayer("bn", 4, Spatial: true),
            new ReluLayer("relu"),
            new ResidualBlock("block", new LayerSpec[] { new Conv2dLayer("conv", 4, 4, 3, Padding: 1) }, Array.Empty<LayerSpec>()),
            new AvgPool2dLayer("pool", 2, 2),
            new FlattenLayer("flatten"),
            new DropoutLayer("dropout", 0.1),
            new LinearLayer("fc", 16, 8),
            new BatchNormLayer("fc_bn", 8, Spatial: false),
            new LinearLayer("out", 8, 2, Bias: false),
        });

        Assert.Equal(new[] { "conv", "block.conv", "fc", "out" }, definition.PrunableLayers.Select(l => l.Name));
        Assert.Equal(40 + 8 + 148 + 136 + 16 + 16, definition.ParameterCount);
        Assert.Contains("block.conv", definition.PrunableLayers.Select(l => l.Name));
        Assert.Contains("-> image 4x2x2", definition.Describe());
    }

    [Fact]
    public void LinearLayer_WithTheWrongInputSize_NamesTheLayerAndBothSizes()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 784, null, 10, new LayerSpec[]
        {
            new LinearLayer("fc1", 784, 300), new ReluLayer("relu1"), new LinearLayer("fc2", 200, 10),
        }));

        Assert.Contains("layer 'fc2'", error.Message);
        Assert.Contains("expects 200 input features but receives 300", error.Message);
    }

    [Fact]
    public void ConvLayer_OnFlatInput_SuggestsAReshape()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 784, new ImageShape(1, 28, 28), 10, new LayerSpec[]
        {
            new Conv2dLayer("conv1", 1, 6, 5), new FlattenLayer("flatten"), new LinearLayer("fc", 6 * 24 * 24, 10),
        }));

        Assert.Contains("layer 'conv1'", error.Message);
        Assert.Contains("ReshapeLayer", error.Message);
    }

    [Fact]
    public void LinearLayer_OnAnImage_SuggestsAFlatten()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 16, null, 2, new LayerSpec[]
        {
            new ReshapeLayer("reshape", new ImageShape(1, 4, 4)), new LinearLayer("fc", 16, 2),
        }));

        Assert.Contains("layer 'fc'", error.Message);
        Assert.Contains("FlattenLayer", error.Message);
    }

    [Fact]
    public void WrongOutputWidth_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 8, null, 3, new LayerSpec[] { new LinearLayer("fc", 8, 4) }));

        Assert.Contains("3 class scores", error.Message);
        Assert.Contains("flat [4]", error.Message);
    }

    [Fact]
    public void DuplicateNames_AreRejectedButTheSameNameInAnotherBlockIsFine()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 8, null, 2, new LayerSpec[]
        {
            new LinearLayer("fc", 8, 8), new ReluLayer("fc"), new LinearLayer("out", 8, 2),
        }));
        Assert.Contains("'fc' is used twice", duplicate.Message);

        var nested = new NetworkDefinition("ok", 8, null, 2, new LayerSpec[]
        {
            new LinearLayer("fc", 8, 8),
            new ResidualBlock("block", new LayerSpec[] { new LinearLayer("fc", 8, 8) }, Array.Empty<LayerSpec>()),
            new LinearLayer("out", 8, 2),
        });
        Assert.Equal(new[] { "fc", "block.fc", "out" }, nested.PrunableLayers.Select(l => l.Name));
    }

    [Fact]
    public void ResidualBlock_WhosePathsDisagree_NamesTheBlock()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 8, null, 2, new LayerSpec[]
        {
            new ResidualBlock("block", new LayerSpec[] { new LinearLayer("fc", 8, 4) }, Array.Empty<LayerSpec>()),
            new LinearLayer("out", 4, 2),
        }));

        Assert.Contains("layer 'block'", error.Message);
        Assert.Contains("flat [4]", error.Message);
        Assert.Contains("identity shortcut producing flat [8]", error.Message);
    }

    [Theory]
    [InlineData("fc.1")]
    [InlineData("1fc")]
    [InlineData("")]
    [InlineData("fc-1")]
    public void LayerNames_ThatCannotBeModuleNames_AreRejected(string name)
    {
        Assert.Throws<ArgumentException>(() => new LinearLayer(name, 8, 2));
        Assert.Throws<ArgumentException>(() => new ReluLayer("ok") with { Name = name });
    }

    [Fact]
    public void ResidualBlock_KeepsACopyOfItsLayers()
    {
        var main = new List<LayerSpec> { new LinearLayer("fc", 8, 8) };
        var block = new ResidualBlock("block", main, Array.Empty<LayerSpec>());
        main.Add(new LinearLayer("fc2", 8, 4));

        Assert.Single(block.Main);
        Assert.Equal(block, new ResidualBlock("block", new LayerSpec[] { new LinearLayer("fc", 8, 8) }, new List<LayerSpec>()));
    }

    [Fact]
    public void Network_WithoutPrunableLayers_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetworkDefinition("bad", 16, null, 1, new LayerSpec[]
        {
            new ReshapeLayer("reshape", new ImageShape(1, 4, 4)), new GlobalAvgPoolLayer("pool"),
        }));

        Assert.Contains("no Linear or Conv2d layer", error.Message);
    }
}

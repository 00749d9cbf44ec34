using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class NetworkArchitectureParseTests
{
    [Theory]
    [InlineData("lenet300")]
    [InlineData("mlp:512,256,128")]
    [InlineData("mlp:10")]
    [InlineData("lenet5")]
    [InlineData("conv2")]
    [InlineData("conv4")]
    [InlineData("conv6")]
    [InlineData("conv4:dropout=0.5")]
    [InlineData("vgg11")]
    [InlineData("vgg16")]
    [InlineData("resnet20")]
    public void Parse_RoundTripsThroughToString(string name)
    {
        var architecture = NetworkArchitecture.Parse(name);

        Assert.Equal(name, architecture.ToString());
        Assert.Equal(name, architecture.Name);
        Assert.Equal(architecture, NetworkArchitecture.Parse(architecture.ToString()));
    }

    [Theory]
    [InlineData("LeNet300", "lenet300")]
    [InlineData("  ResNet20 ", "resnet20")]
    [InlineData("MLP:300, 100", "lenet300")]
    [InlineData("Conv2:Dropout=0.25", "conv2:dropout=0.25")]
    [InlineData("conv6:dropout=0", "conv6")]
    public void Parse_IsCaseInsensitiveAndCanonical(string name, string canonical)
    {
        Assert.Equal(canonical, NetworkArchitecture.Parse(name).ToString());
    }

    [Fact]
    public void Factories_MatchTheirParsedNames()
    {
        Assert.Equal(NetworkArchitecture.LeNet300(), NetworkArchitecture.Mlp());
        Assert.Equal(NetworkArchitecture.LeNet300(), NetworkArchitecture.Mlp(300, 100));
        Assert.True(NetworkArchitecture.Mlp(64) == NetworkArchitecture.Parse("mlp:64"));
        Assert.True(NetworkArchitecture.Conv4() != NetworkArchitecture.Conv6());
        Assert.Equal("conv6", NetworkArchitecture.Conv(6).Name);
        Assert.Equal("vgg16", NetworkArchitecture.Vgg(16).Name);
        Assert.Equal("resnet20", NetworkArchitecture.ResNet20().ToString());
        Assert.Equal("lenet5", NetworkArchitecture.LeNet5().ToString());
        Assert.False(NetworkArchitecture.LeNet300().NeedsImageShape);
        Assert.True(NetworkArchitecture.LeNet5().NeedsImageShape);
    }

    [Fact]
    public void KnownNames_AreAllAccepted()
    {
        foreach (var name in NetworkArchitecture.KnownNames)
        {
            NetworkArchitecture.Parse(name.Replace("<h1>,<h2>,..", "8,4"));
        }
    }

    [Theory]
    [InlineData("lenet")]
    [InlineData("resnet18")]
    [InlineData("")]
    [InlineData("mlp")]
    [InlineData("mlp:")]
    [InlineData("mlp:300,-1")]
    [InlineData("mlp:3x")]
    [InlineData("conv4:dropout=1")]
    [InlineData("conv4:width=2")]
    [InlineData("vgg16:dropout=0.5")]
    public void Parse_OfABadName_ListsTheValidNames(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkArchitecture.Parse(name));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("lenet300, mlp:<h1>,<h2>,.., lenet5, conv2, conv4, conv6, vgg11, vgg16, resnet20", error.Message);
    }

    [Fact]
    public void Factories_RejectBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkArchitecture.Mlp(100, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkArchitecture.Conv(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkArchitecture.Conv2(dropout: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkArchitecture.Vgg(19));
    }
}

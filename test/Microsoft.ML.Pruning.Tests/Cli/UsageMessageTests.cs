using Microsoft.ML.Pruning.Cli.Commands;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>Library exceptions become one-line messages that say each value once, without what .NET appends for programmers.</summary>
public sealed class UsageMessageTests
{
    [Fact]
    public void AnOutOfRangeValueIsSaidOnceWithoutTheParameterName()
    {
        var e = new ArgumentOutOfRangeException("batchSize", 0, "The batch size must be positive.");

        Assert.Equal("The batch size must be positive (got 0).", RunSetup.UsageMessage(e));
    }

    [Fact]
    public void AValueTheMessageAlreadyStatesIsNotRepeated()
    {
        var e = new ArgumentOutOfRangeException("rate", 1.5, "--rate must be in (0, 1) (got 1.5).");

        Assert.Equal("--rate must be in (0, 1) (got 1.5).", RunSetup.UsageMessage(e));
    }

    [Fact]
    public void ParameterNamesQuotedFromInnerMessagesAreRemovedToo()
    {
        var inner = new ArgumentException("layer 'conv2' receives image 6x4x4, smaller than its 5x5 kernel.", "layers");
        var e = new ArgumentException($"Architecture 'lenet5' cannot take 1x8x8 input images: {inner.Message}", "inputShape", inner);

        Assert.Equal("Architecture 'lenet5' cannot take 1x8x8 input images: layer 'conv2' receives image 6x4x4, smaller than its 5x5 kernel.", RunSetup.UsageMessage(e));
    }
}

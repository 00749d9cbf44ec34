using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>The named methods are the paper's: PQ-index methods rank all layers together with the orders asked for.</summary>
public sealed class PruningMethodsTests
{
    [Theory]
    [InlineData("sap", false)]
    [InlineData("icp-if-sap", true)]
    [InlineData("icp-gf-sap", true)]
    public void PqIndexMethodsRankEveryLayerTogetherWithTheGivenOrders(string method, bool icp)
    {
        var options = PruningMethods.Apply(method, new IterativePrunerOptions(), new MethodSettings { P = 0.5, Q = 1, EpochsPerRound = 4 });

        Assert.Equal(PruningScope.Global, options.Scope);
        var rate = Assert.IsType<PqIndexPruningRate>(options.Rate);
        Assert.Equal((0.5, 1.0), (rate.P, rate.Q));
        Assert.Equal(RewindKind.Dense, options.Rewind.Kind);
        Assert.Equal(method, options.Method);
        Assert.Equal(icp, options.Stopping is IcpStoppingPolicy);
    }

    [Fact]
    public void AdaptiveMethodsDecideEveryCheckIntervalAndFixedOnesEveryEpoch()
    {
        var settings = new MethodSettings { EpochsPerRound = 3, CheckEvery = 0.5 };

        Assert.Equal(0.5, PruningMethods.Apply("imp-ar", new IterativePrunerOptions(), settings).Stopping.CheckEvery);
        var gf = Assert.IsType<IcpStoppingPolicy>(PruningMethods.Apply("icp-gf-sap", new IterativePrunerOptions(), settings).Stopping);
        Assert.Equal((FlowKind.Gradient, 0.5, 3.0), (gf.Flow, gf.CheckEvery, gf.MaxEpochs));
        Assert.Equal(1, PruningMethods.Apply("lth", new IterativePrunerOptions(), settings).Stopping.CheckEvery);
        Assert.Equal(MethodSettings.DefaultCheckEvery, PruningMethods.Apply("icp-if", new IterativePrunerOptions(), new MethodSettings()).Stopping.CheckEvery);
    }

    [Fact]
    public void UnknownMethodsAndBadSettingsAreRefusedNamingThem()
    {
        var e = Assert.Throws<ArgumentException>(() => PruningMethods.Apply("ltx", new IterativePrunerOptions(), new MethodSettings()));

        Assert.Contains("icp-gf-sap", e.Message);
        Assert.Equal("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => new MethodSettings { Rate = 1 }).ParamName);
        Assert.Equal("EpochsPerRound", Assert.Throws<ArgumentOutOfRangeException>(() => new MethodSettings { EpochsPerRound = 0 }).ParamName);
    }
}

using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// The PQ-index adaptive rate against values worked by hand:
/// <c>I = 1 - d^(1/q - 1/p) * ||w||_p / ||w||_q</c>, <c>m = d * (1+eta)^(-q/(q-p)) * (1-I)^(q*p/(q-p))</c>,
/// rate <c>= clamp(gamma * (1 - m/d), 0, beta)</c>; with p=1, q=2: <c>d^(1/q-1/p) = d^(-1/2)</c>,
/// <c>(1+eta)^(-2)</c> and <c>(1-I)^2</c>.
/// </summary>
public sealed class PqIndexRateTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void EqualMagnitudesHaveIndexZeroAndRateZero()
    {
        // w = [1,1,1,1]: d = 4, ||w||_1 = 4, ||w||_2 = 2, I = 1 - 4^(-1/2) * 4/2 = 1 - 0.5 * 2 = 0;
        // m = 4 * 1 * (1-0)^2 = 4, rate = clamp(1 - 4/4, 0, 0.9) = 0. Signs do not matter.
        var pq = PruningRate.PqIndex();
        Assert.Equal(0, pq.Index(new float[] { 1, 1, 1, 1 }), Tolerance);
        Assert.Equal(0, pq.RateFor(new float[] { 1, 1, 1, 1 }), Tolerance);
        Assert.Equal(0, pq.RateFor(new float[] { -3, 3, 3, -3 }), Tolerance);
    }

    [Fact]
    public void OneDominantEntryOfFour()
    {
        // w = [1,0,0,0]: ||w||_1 = 1, ||w||_2 = 1, I = 1 - 4^(-1/2) * 1/1 = 0.5;
        // m = 4 * (1-0.5)^2 = 1, rate = clamp(1 - 1/4, 0, 0.9) = 0.75.
        var pq = PruningRate.PqIndex();
        float[] w = { 1, 0, 0, 0 };
        Assert.Equal(0.5, pq.Index(w), Tolerance);
        Assert.Equal(0.75, pq.RateFor(w), Tolerance);
    }

    [Fact]
    public void ThreeFourGivesTwoPercent()
    {
        // w = [3,4]: d = 2, ||w||_1 = 7, ||w||_2 = 5, I = 1 - 2^(-1/2) * 7/5;
        // (1-I)^2 = (1/2) * 49/25 = 0.98, m = 2 * 0.98 = 1.96, rate = 1 - 1.96/2 = 0.02.
        var pq = PruningRate.PqIndex();
        Assert.Equal(1 - 7 / (5 * Math.Sqrt(2)), pq.Index(new float[] { 3, 4 }), Tolerance);
        Assert.Equal(0.02, pq.RateFor(new float[] { 3, 4 }), Tolerance);
    }

    [Fact]
    public void BetaCapsTheRate()
    {
        // w = [1, 0 x 99]: d = 100, I = 1 - 100^(-1/2) * 1/1 = 0.9, m = 100 * 0.1^2 = 1, 1 - m/d = 0.99:
        // clamped to beta = 0.9 by default, to 0.95 with beta 0.95; beta 0.999 lets 0.99 through.
        var w = new float[100];
        w[0] = 1;
        Assert.Equal(0.9, PruningRate.PqIndex().Index(w), Tolerance);
        Assert.Equal(0.9, PruningRate.PqIndex().RateFor(w), Tolerance);
        Assert.Equal(0.95, PruningRate.PqIndex(beta: 0.95).RateFor(w), Tolerance);
        Assert.Equal(0.99, PruningRate.PqIndex(beta: 0.999).RateFor(w), Tolerance);
    }

    [Fact]
    public void EtaShrinksTheRetainedCount()
    {
        // w = [1,0,0,0], eta = 1: (1+eta)^(-2) = 1/4, m = 4 * 1/4 * 0.25 = 0.25, rate = 1 - 0.25/4 = 0.9375
        // (beta 0.99 so the cap does not hide it; the default beta 0.9 caps it).
        float[] w = { 1, 0, 0, 0 };
        Assert.Equal(0.9375, PruningRate.PqIndex(eta: 1, beta: 0.99).RateFor(w), Tolerance);
        Assert.Equal(0.9, PruningRate.PqIndex(eta: 1).RateFor(w), Tolerance);
        // eta = 0.5 on [3,4]: (1.5)^(-2) = 4/9, m = 2 * 4/9 * 0.98, rate = 1 - (4/9) * 0.98 = 0.564444...
        Assert.Equal(1 - 4.0 / 9 * 0.98, PruningRate.PqIndex(eta: 0.5).RateFor(new float[] { 3, 4 }), Tolerance);
    }

    [Fact]
    public void GammaScalesTheRate()
    {
        // w = [1,0,0,0]: 1 - m/d = 0.75; gamma 0.5 gives 0.375; gamma 2 gives 1.5, capped by beta 0.9.
        float[] w = { 1, 0, 0, 0 };
        Assert.Equal(0.375, PruningRate.PqIndex(gamma: 0.5).RateFor(w), Tolerance);
        Assert.Equal(0.9, PruningRate.PqIndex(gamma: 2).RateFor(w), Tolerance);
    }

    [Fact]
    public void OtherNormOrders()
    {
        // p = 2, q = 4 on w = [1,0,0,0]: d^(1/4 - 1/2) = 4^(-1/4) = 1/sqrt(2), ||w||_2 = ||w||_4 = 1,
        // I = 1 - 1/sqrt(2); q*p/(q-p) = 4, so (1-I)^4 = 1/4; (1+eta)^(-2) = 1, m = 4 * 1/4 = 1, rate = 0.75.
        float[] w = { 1, 0, 0, 0 };
        var pq = PruningRate.PqIndex(p: 2, q: 4);
        Assert.Equal(1 - 1 / Math.Sqrt(2), pq.Index(w), Tolerance);
        Assert.Equal(0.75, pq.RateFor(w), Tolerance);
    }

    [Fact]
    public void NothingOrAllZeroGivesRateZero()
    {
        Assert.Equal(0, PruningRate.PqIndex().RateFor(ReadOnlySpan<float>.Empty));
        Assert.Equal(0, PruningRate.PqIndex().RateFor(new float[] { 0, 0, 0 }));
    }

    [Fact]
    public void InvalidParametersNameTheParameter()
    {
        Assert.Equal("q", Assert.Throws<ArgumentOutOfRangeException>(() => PruningRate.PqIndex(p: 2, q: 1)).ParamName);
        Assert.Equal("eta", Assert.Throws<ArgumentOutOfRangeException>(() => PruningRate.PqIndex(eta: -0.1)).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => PruningRate.PqIndex(gamma: 0)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => PruningRate.PqIndex(beta: 1)).ParamName);
    }

    [Fact]
    public void MagnitudePrunerRemovesThePqRateOfTheSurvivors()
    {
        TorchSharpNativeLoader.EnsureLoaded();
        // One Linear 4 -> 2 layer, weights [4,0,0,0,0,0,0,0] (row-major): d = 8, I = 1 - 8^(-1/2) * 4/4,
        // m = 8 * (8^(-1/2))^2 = 1, rate = 1 - 1/8 = 0.875, round(0.875 * 8) = 7 weights go: all the zeros.
        // Second step: one survivor, I = 1 - 1 * 4/4 = 0, rate 0: nothing more goes.
        var definition = new NetworkDefinition("tiny", 4, null, 2, new LayerSpec[] { new LinearLayer("fc1", 4, 2) });
        using var network = NetworkBuilder.Build(definition, seed: 1);
        using var masks = new MaskSet(network);
        SetWeight(network.PrunableLayers[0], new float[] { 4, 0, 0, 0, 0, 0, 0, 0 });

        var first = MagnitudePruner.Prune(masks, PruningRate.PqIndex(), PruningScope.Layerwise);
        Assert.Equal(0.875, first["fc1"], Tolerance);
        Assert.Equal(new[] { false, true, true, true, true, true, true, true }, Flags(masks["fc1"].Pruned));

        var second = MagnitudePruner.Prune(masks, PruningRate.PqIndex(), PruningScope.Layerwise);
        Assert.Equal(0, second["fc1"], Tolerance);
        Assert.Equal(7, masks["fc1"].PrunedCount);
        Assert.Equal(new float[] { 4, 0, 0, 0, 0, 0, 0, 0 }, Values(network.PrunableLayers[0].Weight));
    }
}

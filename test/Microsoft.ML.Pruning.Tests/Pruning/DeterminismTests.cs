using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Equal magnitudes are pruned in position order (lower index first), and the same seed gives the same masks.</summary>
public sealed class DeterminismTests
{
    public DeterminismTests() => TorchSharpNativeLoader.EnsureLoaded();

    /// <summary>fc1: 3 -> 4 (12 weights), fc2: 4 -> 2 (8 weights).</summary>
    private static PrunableNetwork TwoLayers() =>
        NetworkBuilder.Build(new NetworkDefinition("ties", 3, null, 2, new LayerSpec[] { new LinearLayer("fc1", 3, 4), new ReluLayer("relu"), new LinearLayer("fc2", 4, 2) }), seed: 1);

    [Fact]
    public void EqualMagnitudesArePrunedLowerIndexFirst()
    {
        using var network = TwoLayers();
        using var masks = new MaskSet(network);
        // |w| = 0.5 everywhere (signs alternate): round(0.25 * 12) = 3 go, the first three.
        SetWeight(network.PrunableLayers[0], Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? 0.5f : -0.5f).ToArray());

        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.25), PruningScope.Layerwise);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => i < 3).ToArray(), Flags(masks["fc1"].Pruned));
    }

    [Fact]
    public void TiesAtTheThresholdGoInPositionOrder()
    {
        using var network = TwoLayers();
        using var masks = new MaskSet(network);
        // Smallest: 0.1 (index 5), 0.2 (index 9); then four entries of 0.3 at 1, 3, 7, 10: removing 4 takes 0.1, 0.2
        // and the two lowest-index 0.3s (1 and 3).
        SetWeight(network.PrunableLayers[0], new[] { 0.9f, 0.3f, 0.8f, -0.3f, 0.7f, 0.1f, 0.6f, 0.3f, 0.5f, -0.2f, 0.3f, 0.4f });

        MagnitudePruner.Prune(masks, PruningRate.Fixed(4 / 12.0), PruningScope.Layerwise);

        var expected = new bool[12];
        foreach (int i in new[] { 1, 3, 5, 9 })
        {
            expected[i] = true;
        }

        Assert.Equal(expected, Flags(masks["fc1"].Pruned));
    }

    [Fact]
    public void GlobalTiesGoToTheEarlierLayerFirst()
    {
        using var network = TwoLayers();
        using var masks = new MaskSet(network);
        SetWeight(network.PrunableLayers[0], Enumerable.Repeat(0.25f, 12).ToArray());
        SetWeight(network.PrunableLayers[1], Enumerable.Repeat(-0.25f, 8).ToArray());

        // round(0.75 * 20) = 15: fc1 first, but not its last weight (no layer is cut off), then the first 4 of fc2.
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.75), PruningScope.Global);

        Assert.Equal(Enumerable.Range(0, 12).Select(i => i < 11).ToArray(), Flags(masks["fc1"].Pruned));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i < 4).ToArray(), Flags(masks["fc2"].Pruned));
    }

    [Fact]
    public void SameSeedGivesTheSameMasksAndWeights()
    {
        var options = FastOptions() with { Rate = PruningRate.Fixed(0.4), Scope = PruningScope.Global };
        using var a = Run(options);
        using var b = Run(options);
        using var other = Run(options with { Seed = options.Seed + 1 });

        Assert.Equal(MaskBits(a.Masks), MaskBits(b.Masks));
        Assert.Equal(StateBytes(a.Network), StateBytes(b.Network));
        Assert.Equal(WithoutTimings(a.Report), WithoutTimings(b.Report));
        // The comparison can tell runs apart: another seed prunes other weights.
        Assert.NotEqual(MaskBits(a.Masks)["fc1"], MaskBits(other.Masks)["fc1"]);
    }
}

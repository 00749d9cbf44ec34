using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// After k rounds at rate r the sparsity is 1-(1-r)^k, up to rounding (each step removes round(r * survivors)),
/// layer by layer or over the whole network, and the output-layer override prunes at its own rate.
/// </summary>
public sealed class SparsityScheduleTests
{
    public SparsityScheduleTests() => TorchSharpNativeLoader.EnsureLoaded();

    /// <summary>fc1 40x30 = 1200, fc2 30x20 = 600, fc3 20x7 = 140 prunable weights.</summary>
    private static PrunableNetwork SmallMlp() => NetworkBuilder.Build(NetworkArchitecture.Mlp(30, 20).Define(40, null, 7), seed: 11);

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.35)]
    public void LayerwiseRoundsGiveEveryLayerTheScheduledSparsity(double rate)
    {
        using var network = SmallMlp();
        using var masks = new MaskSet(network);
        var original = masks.Masks.ToDictionary(m => m.Name, m => Values(m.Layer.Weight));

        for (int k = 1; k <= 5; k++)
        {
            var used = MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), PruningScope.Layerwise);

            foreach (var mask in masks.Masks)
            {
                Assert.Equal(rate, used[mask.Name]);
                AssertSurvivorsFollowSchedule(mask.Count, mask.SurvivingCount, rate, k, mask.Name);
                AssertSmallestMagnitudesWentFirst(new[] { original[mask.Name] }, new[] { Flags(mask.Pruned) });
            }

            Assert.Equal(1 - Math.Pow(1 - rate, k), masks.Sparsity, 2);
        }
    }

    [Fact]
    public void GlobalRoundsApplyOneThresholdAcrossLayers()
    {
        const double rate = 0.2;
        using var network = SmallMlp();
        using var masks = new MaskSet(network);
        var original = masks.Masks.Select(m => Values(m.Layer.Weight)).ToArray();

        for (int k = 1; k <= 5; k++)
        {
            var used = MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), PruningScope.Global);

            Assert.All(used.Values, r => Assert.Equal(rate, r));
            AssertSurvivorsFollowSchedule(masks.Count, masks.Count - masks.PrunedCount, rate, k, "all layers");
            AssertSmallestMagnitudesWentFirst(original, masks.Masks.Select(m => Flags(m.Pruned)).ToArray());
        }

        // One threshold: fc1's initial weights are the smallest (bound 1/sqrt(40) against 1/sqrt(20) for fc3), so it
        // loses more than the output layer; a layerwise step would give both the same sparsity.
        var layers = masks.LayerSparsity();
        Assert.True(layers["fc1"] > layers["fc3"] + 0.05, $"fc1 {layers["fc1"]:P1}, fc3 {layers["fc3"]:P1}");
    }

    [Theory]
    [InlineData(PruningScope.Layerwise)]
    [InlineData(PruningScope.Global)]
    public void HalfRateOverrideGivesTheOutputLayerItsOwnSchedule(PruningScope scope)
    {
        const double rate = 0.2;
        using var network = SmallMlp();
        using var masks = new MaskSet(network);
        var overrides = new[] { LayerPruningOverride.Scaled("fc3", 0.5) };

        for (int k = 1; k <= 5; k++)
        {
            var used = MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), scope, overrides);

            Assert.Equal(rate / 2, used["fc3"], 12);
            AssertSurvivorsFollowSchedule(masks["fc3"].Count, masks["fc3"].SurvivingCount, rate / 2, k, "fc3");
            Assert.Equal(1 - Math.Pow(1 - rate / 2, k), masks["fc3"].Sparsity, 2);
            long hidden = masks["fc1"].Count + masks["fc2"].Count;
            long hiddenSurvivors = masks["fc1"].SurvivingCount + masks["fc2"].SurvivingCount;
            if (scope == PruningScope.Layerwise)
            {
                AssertSurvivorsFollowSchedule(masks["fc1"].Count, masks["fc1"].SurvivingCount, rate, k, "fc1");
                AssertSurvivorsFollowSchedule(masks["fc2"].Count, masks["fc2"].SurvivingCount, rate, k, "fc2");
            }
            else
            {
                AssertSurvivorsFollowSchedule(hidden, hiddenSurvivors, rate, k, "fc1+fc2");
            }
        }
    }

    [Fact]
    public void ExcludedLayerIsNeverPruned()
    {
        using var network = SmallMlp();
        using var masks = new MaskSet(network);

        for (int k = 1; k <= 3; k++)
        {
            var used = MagnitudePruner.Prune(masks, PruningRate.Fixed(0.5), PruningScope.Global, new[] { LayerPruningOverride.Excluded("fc3") });
            Assert.Equal(0, used["fc3"]);
        }

        Assert.Equal(0, masks["fc3"].PrunedCount);
        AssertSurvivorsFollowSchedule(masks["fc1"].Count + masks["fc2"].Count, masks["fc1"].SurvivingCount + masks["fc2"].SurvivingCount, 0.5, 3, "fc1+fc2");
    }

    [Theory]
    [InlineData(PruningScope.Layerwise)]
    [InlineData(PruningScope.Global)]
    public void IterativePrunerRoundsFollowTheSchedule(PruningScope scope)
    {
        const double rate = 0.3;
        using var result = Run(FastOptions() with { Rounds = 3, Rate = PruningRate.Fixed(rate), Scope = scope });
        long fc1 = result.Masks["fc1"].Count, fc2 = result.Masks["fc2"].Count;

        Assert.Equal(3, result.Report.Rounds.Count);
        foreach (var row in result.Report.Rounds)
        {
            int k = row.Round;
            if (scope == PruningScope.Layerwise)
            {
                Assert.Equal(ExactSparsity(fc1, rate, k), row.LayerSparsity["fc1"]);
                Assert.Equal(ExactSparsity(fc2, rate, k), row.LayerSparsity["fc2"]);
            }
            else
            {
                Assert.Equal(ExactSparsity(fc1 + fc2, rate, k), row.Sparsity, 12);
            }

            Assert.Equal(1 - Math.Pow(1 - rate, k), row.Sparsity, 3);
        }

        Assert.Equal(result.Report.Rounds[^1].Sparsity, result.Report.Final!.Sparsity);
        Assert.Equal(result.Report.Rounds[^1].Sparsity, result.Masks.Sparsity);
    }

    [Fact]
    public void IterativePrunerPrunesTheOutputLayerAtHalfRateWhenAsked()
    {
        const double rate = 0.3;
        var options = FastOptions() with { Rounds = 2, Rate = PruningRate.Fixed(rate), OutputLayerRateFactor = 0.5 };
        using var result = Run(options);
        long fc1 = result.Masks["fc1"].Count, fc2 = result.Masks["fc2"].Count;

        Assert.Equal(1.0, new IterativePrunerOptions().OutputLayerRateFactor); // the default prunes every layer alike
        foreach (var row in result.Report.Rounds)
        {
            Assert.Equal(ExactSparsity(fc1, rate, row.Round), row.LayerSparsity["fc1"]);
            Assert.Equal(ExactSparsity(fc2, rate / 2, row.Round), row.LayerSparsity["fc2"]);
            Assert.Equal(1 - Math.Pow(1 - rate / 2, row.Round), row.LayerSparsity["fc2"], 2);
        }
    }

    private static double ExactSparsity(long count, double rate, int rounds) => (count - SurvivorsAfter(count, rate, rounds)) / (double)count;

    /// <summary>Exact survivor count of the rounding rule, and within rounding (0.5 per round) of count * (1-r)^k.</summary>
    private static void AssertSurvivorsFollowSchedule(long count, long survivors, double rate, int k, string what)
    {
        Assert.True(survivors == SurvivorsAfter(count, rate, k), $"{what}, round {k}: {survivors} survivors of {count}, expected {SurvivorsAfter(count, rate, k)}");
        double ideal = count * Math.Pow(1 - rate, k);
        Assert.True(Math.Abs(survivors - ideal) <= 0.5 * k, $"{what}, round {k}: {survivors} survivors, ideal {ideal:F2}");
    }

    /// <summary>Every pruned weight was no larger in magnitude (before pruning) than every surviving one, over the pool.</summary>
    private static void AssertSmallestMagnitudesWentFirst(float[][] originalWeights, bool[][] pruned)
    {
        float largestPruned = 0, smallestSurviving = float.PositiveInfinity;
        for (int l = 0; l < originalWeights.Length; l++)
        {
            for (int i = 0; i < originalWeights[l].Length; i++)
            {
                float a = Math.Abs(originalWeights[l][i]);
                if (pruned[l][i])
                {
                    largestPruned = Math.Max(largestPruned, a);
                }
                else
                {
                    smallestSurviving = Math.Min(smallestSurviving, a);
                }
            }
        }

        Assert.True(largestPruned <= smallestSurviving, $"a weight of magnitude {largestPruned} was pruned while {smallestSurviving} survives");
    }
}

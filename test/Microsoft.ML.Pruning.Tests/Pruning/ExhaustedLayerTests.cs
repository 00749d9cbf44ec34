using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>No layer is ever pruned to nothing, and a run stops pruning (with warnings) once no round can remove anything.</summary>
public sealed class ExhaustedLayerTests
{
    public ExhaustedLayerTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void ANearTotalRateKeepsOneWeightPerLayerAndSaysSo()
    {
        var options = FastOptions() with { Rounds = 1, Rate = PruningRate.Fixed(0.999999) };

        using var result = Run(options);

        Assert.All(result.Masks.Masks, m => Assert.Equal(1, m.SurvivingCount));
        Assert.Equal(new[] { "fc1", "fc2" }.Select(l => $"Layer '{l}' reached its last weight in round 1 and is no longer pruned."),
            result.Report.Warnings.Where(w => w.StartsWith("Layer", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheRunStopsPruningWhenNoRoundCanRemoveAnything()
    {
        // 90% a round empties a 16-unit MLP within a few rounds; 30 rounds were asked for.
        var options = FastOptions() with { Rounds = 30, Rate = PruningRate.Fixed(0.9) };

        using var result = Run(options);

        int rounds = result.Report.Rounds.Count;
        Assert.InRange(rounds, 2, 10);
        Assert.All(result.Masks.Masks, m => Assert.Equal(1, m.SurvivingCount));
        Assert.Equal($"Round {rounds + 1} could remove nothing (every layer is at its last weight, or the rate is too small to remove one); the run stopped pruning after {rounds} rounds.",
            result.Report.Warnings[^1]);
    }

    [Fact]
    public void AnOrdinaryRunHasNoWarnings()
    {
        using var result = Run(FastOptions() with { Rounds = 3 });

        Assert.Empty(result.Report.Warnings);
        Assert.Equal(3, result.Report.Rounds.Count);
    }
}

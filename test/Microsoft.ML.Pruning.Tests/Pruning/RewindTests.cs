using System.Runtime.InteropServices;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// After each pruning step the surviving weights (and the biases) go back bit-exactly to the chosen snapshot —
/// initial, after k dense epochs, or after dense training — while pruned weights are 0; with no rewinding the
/// network keeps its trained weights.
/// </summary>
public sealed class RewindTests
{
    public RewindTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Theory]
    [InlineData("init")]
    [InlineData("dense")]
    [InlineData("epoch:1")]
    public void RewindingRestoresSurvivingWeightsBitExactly(string point)
    {
        var definition = DigitMlp(16);
        var policy = new StateRecordingPolicy(StoppingPolicy.FixedEpochs(1));
        var options = FastOptions() with { PretrainEpochs = 2, Rewind = RewindPoint.Parse(point), Stopping = policy };
        using var result = Run(options, definition);

        Dictionary<string, byte[]> init;
        using (var fresh = NetworkBuilder.Build(definition, options.Seed))
        {
            init = StateBytes(fresh);
        }

        var dense = policy.Dense!;
        Assert.NotEqual(init["fc1.weight"], dense["fc1.weight"]);
        Dictionary<string, byte[]> expected;
        if (point == "epoch:1")
        {
            // The same run stopped after one dense epoch: what the late-rewinding snapshot must hold.
            using var oneEpoch = Run(options with { PretrainEpochs = 1, Rounds = 0, Rewind = RewindPoint.Init, Stopping = StoppingPolicy.FixedEpochs(1) }, definition);
            expected = StateBytes(oneEpoch.Network);
            Assert.NotEqual(init["fc1.weight"], expected["fc1.weight"]);
            Assert.NotEqual(dense["fc1.weight"], expected["fc1.weight"]);
        }
        else
        {
            expected = point == "init" ? init : dense;
        }

        Assert.Equal(2, policy.AtRoundStart.Count);
        for (int round = 1; round <= 2; round++)
        {
            AssertRewound(expected, policy.AtRoundStart[round - 1], result.Report.Rounds[round - 1], definition);
        }
    }

    [Fact]
    public void WithoutRewindingTheTrainedWeightsAreKept()
    {
        var definition = DigitMlp(16);
        var policy = new StateRecordingPolicy(StoppingPolicy.FixedEpochs(1));
        using var result = Run(FastOptions() with { Rewind = RewindPoint.None, Stopping = policy }, definition);

        Assert.Equal(2, policy.AtRoundEnd.Count);
        Assert.NotEqual(policy.Dense!["fc1.weight"], policy.AtRoundEnd[0]["fc1.weight"]);
        // Round 1 starts from the dense network, round 2 from where round 1's retraining ended.
        AssertRewound(policy.Dense!, policy.AtRoundStart[0], result.Report.Rounds[0], definition);
        AssertRewound(policy.AtRoundEnd[0], policy.AtRoundStart[1], result.Report.Rounds[1], definition);
    }

    /// <summary>
    /// <paramref name="actual"/> (the state just after a round's pruning and rewinding) equals <paramref name="expected"/>
    /// bit for bit except where a weight was pruned, which is +0.0, and exactly the round's pruned count of weights is 0.
    /// </summary>
    private static void AssertRewound(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, RoundResult row, NetworkDefinition definition)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var weightKeys = definition.PrunableLayers.ToDictionary(l => l.Name + ".weight", l => l.Name);
        foreach (var (key, bytes) in actual)
        {
            if (!weightKeys.TryGetValue(key, out var layer))
            {
                Assert.True(expected[key].AsSpan().SequenceEqual(bytes), $"round {row.Round}: '{key}' was not restored bit-exactly");
                continue;
            }

            var want = MemoryMarshal.Cast<byte, int>(expected[key]);
            var got = MemoryMarshal.Cast<byte, int>(bytes);
            int zeros = 0;
            for (int i = 0; i < got.Length; i++)
            {
                if (got[i] == 0)
                {
                    zeros++;
                }
                else
                {
                    Assert.True(got[i] == want[i], $"round {row.Round}: surviving weight {key}[{i}] is {BitConverter.Int32BitsToSingle(got[i])}, snapshot {BitConverter.Int32BitsToSingle(want[i])}");
                }
            }

            long pruned = (long)Math.Round(row.LayerSparsity[layer] * got.Length);
            Assert.True(pruned > 0);
            Assert.Equal(pruned, zeros);
        }
    }
}

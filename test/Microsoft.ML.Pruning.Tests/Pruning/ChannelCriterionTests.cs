using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Channel pruning masks whole channels with everything coupled to them, by norm, with the layer floor, and
/// runs through the round loop (ICP, rewinding, checkpoints) like weight pruning.</summary>
public sealed class ChannelCriterionTests
{
    private static readonly Lazy<DataSplit> SmallDigits = new(() => SyntheticDigits.Generate(240, seed: 5).SplitByIndex(0.6, 0.2, 0.2));

    public ChannelCriterionTests() => NetworkTestCases.EnsureTorch();

    [Theory]
    [InlineData(ChannelNorm.L1)]
    [InlineData(ChannelNorm.L2)]
    public void LeNet5_TheLowestNormChannelsGo_WithTheirConsumersSlicesAndBiases(ChannelNorm norm)
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 2);
        var groups = ChannelGroups.Analyze(network.Source);
        var expectedRemoved = groups.Prunable.ToDictionary(g => g.Name, g => LowestNorms(network, g.Name, norm, (int)Math.Round(0.4 * g.Channels, MidpointRounding.AwayFromZero)));
        using var masks = new MaskSet(network);

        var step = PruningCriterion.Channels(norm).Prune(masks, PruningRate.Fixed(0.4), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());

        foreach (var group in groups.Prunable)
        {
            var removed = RemovedRows(masks[group.Name]);
            Assert.Equal(expectedRemoved[group.Name], removed);
            // Nothing but whole rows in the producer; the bias of each removed channel is 0.
            Assert.Equal(removed.Length * RowSize(masks[group.Name]), masks[group.Name].PrunedCount - ColumnsPruned(masks, group.Name));
            var bias = Values(network.PrunableLayers.Single(l => l.Name == group.Name).Bias!);
            Assert.All(removed, c => Assert.Equal(0f, bias[c]));
            foreach (var consumer in group.Consumers)
            {
                var columns = PrunedColumns(masks[consumer.Layer]);
                Assert.Equal(removed.SelectMany(c => Enumerable.Range(c * consumer.Block, consumer.Block)).ToArray(), columns);
            }
        }

        Assert.Empty(RemovedRows(masks["fc3"])); // the classes stay
        Assert.Equal(0, step.LayerRates["fc3"]);
        Assert.Equal(0.4, step.LayerRates["conv1"]);
        Assert.Equal(masks.PrunedCount, step.Removed);
        Assert.Equal("channel-l1", PruningCriterion.Channels().Name);
    }

    [Fact]
    public void ResNet20_TiedChannelsGoFromEveryProducer_AndTheirBatchNormsAreHeldAtZero()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("resnet20", "3,32,32", 3072, 10), seed: 3);
        var groups = ChannelGroups.Analyze(network.Source);
        using var masks = new MaskSet(network);

        PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.25), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());

        var stage = groups.OutputOf("conv1");
        var removed = RemovedRows(masks["conv1"]);
        Assert.Equal(4, removed.Length);
        Assert.All(stage.Producers, p => Assert.Equal(removed, RemovedRows(masks[p])));
        Assert.All(stage.Consumers, c => Assert.Equal(removed, PrunedColumns(masks[c.Layer])));
        var gamma = network.state_dict()["stage1_block1.conv2_bn.weight"];
        Assert.All(removed, c => Assert.Equal(0f, Values(gamma)[c]));

        // An optimizer step that moved them is undone by the mask hook, as for pruned weights.
        using (no_grad())
        {
            gamma.fill_(1f);
        }

        masks.AfterStep(network);
        Assert.All(removed, c => Assert.Equal(0f, Values(gamma)[c]));
        Assert.Equal(1f, Values(gamma).Where((_, c) => !removed.Contains(c)).Distinct().Single());
    }

    [Fact]
    public void GlobalScope_RemovesTheRateOfAllChannels_RankedPerWeight()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 4);
        var groups = ChannelGroups.Analyze(network.Source).Prunable.ToList();
        int total = groups.Sum(g => g.Channels);
        using var masks = new MaskSet(network);

        PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.3), PruningScope.Global, Array.Empty<LayerPruningOverride>());

        var removed = groups.Sum(g => RemovedRows(masks[g.Name]).Length);
        Assert.Equal((int)Math.Round(0.3 * total, MidpointRounding.AwayFromZero), removed);
        // Layers differ in how much they lose: one threshold, not one rate per layer.
        Assert.True(groups.Select(g => RemovedRows(masks[g.Name]).Length / (double)g.Channels).Distinct().Count() > 1);
    }

    [Fact]
    public void NoGroupLosesItsLastChannel_AndTheStepSaysWhichReachedIt()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 5);
        using var masks = new MaskSet(network);

        var step = PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.999), PruningScope.Global, Array.Empty<LayerPruningOverride>());

        Assert.Equal(new[] { "conv1", "conv2", "fc1", "fc2" }, step.Exhausted);
        Assert.All(new[] { "conv1", "conv2", "fc1", "fc2" }, l => Assert.Equal(masks[l].Pruned.shape[0] - 1, RemovedRows(masks[l]).Length));
        var again = PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.999), PruningScope.Global, Array.Empty<LayerPruningOverride>());
        Assert.Equal(0, again.Removed);
    }

    [Fact]
    public void AnExcludedLayerKeepsItsChannels_ButLosesTheInputsOfTheChannelsBeforeIt()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 6);
        using var masks = new MaskSet(network);

        PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, new[] { LayerPruningOverride.Excluded("conv2") });

        Assert.Empty(RemovedRows(masks["conv2"]));
        Assert.Equal(3, PrunedColumns(masks["conv2"]).Length);
        Assert.Throws<ArgumentException>(() =>
            PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, new[] { LayerPruningOverride.Excluded("nope") }));
    }

    [Fact]
    public void AnIcpRunWithChannelGranularity_PrunesWholeChannels_AndReportsTheCriterion()
    {
        var definition = NetworkArchitecture.LeNet5().Define(SyntheticDigits.Side * SyntheticDigits.Side, new ImageShape(1, SyntheticDigits.Side, SyntheticDigits.Side), SyntheticDigits.ClassCount);
        var options = FastOptions() with
        {
            Method = "icp-if",
            Rounds = 2,
            Rate = PruningRate.Fixed(0.3),
            Criterion = PruningCriterion.Channels(),
            Rewind = RewindPoint.Dense,
            Stopping = new IcpStoppingPolicy(FlowKind.Information, maxEpochs: 2) { CheckEvery = 0.5, ProbeSize = 40 },
        };

        using var result = new IterativePruner(options).Run(definition, SmallDigits.Value);

        Assert.Equal("channel-l1", result.Report.Criterion);
        Assert.Contains("\"criterion\": \"channel-l1\"", result.Report.ToJson());
        Assert.Equal(2, result.Report.Rounds.Count);
        // 0.7 of 0.7: conv1 keeps 6 -> 4 -> 3 channels; fc1 120 -> 84 -> 59.
        Assert.Equal(3, result.Masks["conv1"].Pruned.shape[0] - RemovedRows(result.Masks["conv1"]).Length);
        Assert.Equal(59, 120 - RemovedRows(result.Masks["fc1"]).Length);
        Assert.All(result.Report.Rounds, r => Assert.NotEmpty(r.Checks));
        Assert.Empty(result.Report.Warnings);
        // Retraining kept the removed channels' biases at 0 (the export drops them on that basis).
        var bias = Values(result.Network.PrunableLayers[1].Bias!);
        Assert.All(RemovedRows(result.Masks["conv2"]), c => Assert.Equal(0f, bias[c]));
    }

    [Fact]
    public void AResumedChannelRunMatchesAnUninterruptedOne()
    {
        using var dirA = new TempDirectory();
        using var dirB = new TempDirectory();
        var options = FastOptions() with
        {
            Rounds = 3,
            Rate = PruningRate.Fixed(0.3),
            Criterion = PruningCriterion.Channels(ChannelNorm.L2),
            Rewind = RewindPoint.None,
            Training = FastOptions().Training with { Optimizer = OptimizerOptions.Sgd(0.05, momentum: 0.9, weightDecay: 1e-2) },
        };

        using var uninterrupted = Run(options with { CheckpointDirectory = dirA.Path });
        using (Run(options with { Rounds = 1, CheckpointDirectory = dirB.Path }))
        {
        }

        using var resumed = Run(options with { CheckpointDirectory = dirB.Path, Resume = true });

        Assert.Equal(MaskBits(uninterrupted.Masks), MaskBits(resumed.Masks));
        Assert.Equal(StateBytes(uninterrupted.Network), StateBytes(resumed.Network));
        Assert.Equal(WithoutTimings(uninterrupted.Report), WithoutTimings(resumed.Report));
        Assert.Throws<InvalidDataException>(() => Run(options with { Criterion = PruningCriterion.Magnitude, CheckpointDirectory = dirB.Path, Resume = true }));
    }

    private static int[] LowestNorms(PrunableNetwork network, string layer, ChannelNorm norm, int count)
    {
        var weight = network.PrunableLayers.Single(l => l.Name == layer).Weight;
        using var scope = NewDisposeScope();
        var rows = weight.detach().flatten(1);
        var score = norm == ChannelNorm.L1 ? rows.abs().sum(1) : rows.square().sum(1);
        var values = Values(score);
        return Enumerable.Range(0, values.Length).OrderBy(i => values[i]).Take(count).Order().ToArray();
    }

    private static int[] RemovedRows(PruningMask mask)
    {
        using var scope = NewDisposeScope();
        var rows = Flags(mask.Pruned.flatten(1).all(1));
        return Enumerable.Range(0, rows.Length).Where(i => rows[i]).ToArray();
    }

    private static int[] PrunedColumns(PruningMask mask)
    {
        using var scope = NewDisposeScope();
        var columns = Flags(mask.Pruned.transpose(0, 1).flatten(1).all(1));
        return Enumerable.Range(0, columns.Length).Where(i => columns[i]).ToArray();
    }

    private static long RowSize(PruningMask mask) => mask.Count / mask.Pruned.shape[0];

    /// <summary>Weights pruned as input slices but outside the removed rows.</summary>
    private static long ColumnsPruned(MaskSet masks, string layer)
    {
        var mask = masks[layer];
        long columnSize = mask.Count / mask.Pruned.shape[1];
        long rows = RemovedRows(mask).Length;
        long perColumnOutsideRows = columnSize / mask.Pruned.shape[0] * (mask.Pruned.shape[0] - rows);
        return PrunedColumns(mask).Length * perColumnOutsideRows;
    }
}

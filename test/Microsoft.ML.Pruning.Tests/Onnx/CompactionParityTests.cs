using Google.Protobuf;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// The compacted export (<see cref="NetworkCompactor"/>) computes what the masked network computes: ONNX Runtime on the
/// smaller file against TorchSharp on the masked network, within 1e-4, on every built-in and on the network with every
/// layer kind, after channel pruning and after weight pruning that leaves dead units with non-zero constants.
/// </summary>
public sealed class CompactionParityTests
{
    private const float Tolerance = 1e-4f;
    private const int Batch = 19;
    private readonly ITestOutputHelper _output;

    public CompactionParityTests(ITestOutputHelper output)
    {
        _output = output;
        NetworkTestCases.EnsureTorch();
    }

    [Theory]
    [MemberData(nameof(NetworkTestCases.BuiltIns), MemberType = typeof(NetworkTestCases))]
    public void ChannelPruned_CompactedFile_MatchesTheMaskedNetwork_AndIsSmaller(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 11);
        var input = OnnxTestSupport.Features(Batch, features);
        using (var masks = new MaskSet(network))
        {
            PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());
        }

        OnnxTestSupport.Sharpen(network, input, Batch);
        var (error, full, compact) = Compare(network, input, classes);
        _output.WriteLine($"{architecture} {shape}: max |score error| {error:E2}; weights {full:N0} -> {compact:N0}");
        Assert.True(error <= Tolerance, $"{architecture}: max |score difference| {error:E2} > {Tolerance:E0}.");
        // Half the channels of every group but the output go, and with them their input slices: at most about a third
        // of the weights stay (a half of a half, plus the layers at the ends).
        Assert.InRange(compact, 1, full * 0.55);
    }

    [Theory]
    [MemberData(nameof(NetworkTestCases.BuiltIns), MemberType = typeof(NetworkTestCases))]
    public void WeightPruned_DeadUnitsGo_TheirConstantsFoldedIntoTheNextBias(string architecture, string shape, int features, int classes)
    {
        var definition = NetworkTestCases.Define(architecture, shape, features, classes);
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 12);
        var input = OnnxTestSupport.Features(Batch, features);
        using (var masks = new MaskSet(network))
        {
            MagnitudePruner.Prune(masks, PruningRate.Fixed(0.8), PruningScope.Layerwise);
            KillIncomingWeights(masks, fraction: 0.3);
            masks.ApplyToWeights();
        }

        OnnxTestSupport.Sharpen(network, input, Batch);
        var (error, full, compact) = Compare(network, input, classes);
        _output.WriteLine($"{architecture} {shape}: max |score error| {error:E2}; weight slots {full:N0} -> {compact:N0}");
        Assert.True(error <= Tolerance, $"{architecture}: max |score difference| {error:E2} > {Tolerance:E0}.");
        Assert.True(compact < full, $"{architecture}: no dead unit was removed.");
    }

    [Fact]
    public void EveryLayerKind_ChannelAndWeightPruned_MatchesTheMaskedNetwork()
    {
        foreach (bool channels in new[] { true, false })
        {
            var definition = OnnxTestNetworks.EveryLayerKind();
            using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 5);
            var input = OnnxTestSupport.Features(Batch, definition.InputFeatures);
            using (var masks = new MaskSet(network))
            {
                if (channels)
                {
                    PruningCriterion.Channels(ChannelNorm.L2).Prune(masks, PruningRate.Fixed(0.5), PruningScope.Global, Array.Empty<LayerPruningOverride>());
                }
                else
                {
                    KillIncomingWeights(masks, fraction: 0.5);
                    masks.ApplyToWeights();
                }
            }

            OnnxTestSupport.Sharpen(network, input, Batch);
            var (error, full, compact) = Compare(network, input, 10);
            _output.WriteLine($"every layer kind, {(channels ? "channels" : "dead units")}: max |score error| {error:E2}; weights {full:N0} -> {compact:N0}");
            Assert.True(error <= Tolerance, $"max |score difference| {error:E2} > {Tolerance:E0}.");
            Assert.True(compact < full);
        }
    }

    [Fact]
    public void DeadNeuronsWithAPositiveBias_AreFolded_DroppingThemUnfoldedWouldChangeTheScores()
    {
        var definition = NetworkArchitecture.Mlp(32, 16).Define(20, null, 3);
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 4);
        var input = OnnxTestSupport.Features(Batch, 20);
        using (no_grad())
        {
            var fc1 = network.PrunableLayers[0];
            fc1.Weight.narrow(0, 0, 8).zero_();
            fc1.Bias!.narrow(0, 0, 8).fill_(0.5); // relu(0.5) = 0.5 reaches fc2 from each of the 8 dead neurons
        }

        OnnxTestSupport.Sharpen(network, input, Batch);
        var model = OnnxExporter.CreateModel(network, new OnnxExportOptions { Compact = true });
        Assert.Equal(new long[] { 24, 20 }, model.Graph.Initializer.Single(t => t.Name == "fc1.weight").Dims);
        Assert.Equal(new long[] { 16, 24 }, model.Graph.Initializer.Single(t => t.Name == "fc2.weight").Dims);
        var expected = OnnxTestSupport.TorchScores(network, input, Batch);
        float error = OnnxTestSupport.MaxAbsDifference(expected, Scores(model.ToByteArray(), input, 3));
        Assert.True(error <= Tolerance, $"max |score difference| {error:E2}");

        // The same rows dropped without the fold: what the fold is for.
        using (no_grad())
        {
            network.PrunableLayers[0].Bias!.narrow(0, 0, 8).zero_();
        }

        float unfolded = OnnxTestSupport.MaxAbsDifference(expected, OnnxTestSupport.TorchScores(network, input, Batch));
        Assert.True(unfolded > 100 * Tolerance, $"dropping the constants changes the scores by only {unfolded:E2}");
    }

    [Fact]
    public void ConstantChannelsReadByAPaddedConvolution_StayUnlessZero()
    {
        var definition = NetworkTestCases.Define("conv2", "1,12,12", 144, 10);
        using var network = OnnxTestSupport.BuildWithStatistics(definition, seed: 6);
        using (no_grad())
        {
            var conv1 = network.PrunableLayers[0];
            conv1.Weight.narrow(0, 0, 10).zero_();
            conv1.Bias!.narrow(0, 0, 5).fill_(0.3f);  // constant 0.3 after ReLU: conv2 pads, so these stay
            conv1.Bias!.narrow(0, 5, 5).fill_(-0.3f); // ReLU makes these 0: they go
        }

        var model = OnnxExporter.CreateModel(network, new OnnxExportOptions { Compact = true });
        Assert.Equal(64 - 5, model.Graph.Initializer.Single(t => t.Name == "conv1.weight").Dims[0]);
        var input = OnnxTestSupport.Features(Batch, 144);
        float error = OnnxTestSupport.MaxAbsDifference(OnnxTestSupport.TorchScores(network, input, Batch), Scores(model.ToByteArray(), input, 10));
        Assert.True(error <= Tolerance, $"max |score difference| {error:E2}");
    }

    /// <summary>Zeroes every incoming weight of the first <paramref name="fraction"/> of each non-output layer's
    /// units, leaving their biases: dead units with a constant output.</summary>
    private static void KillIncomingWeights(MaskSet masks, double fraction)
    {
        foreach (var mask in masks.Masks.SkipLast(1))
        {
            long rows = (long)(mask.Pruned.shape[0] * fraction);
            mask.Pruned.narrow(0, 0, rows).fill_(true);
        }
    }

    /// <summary>The largest score difference between TorchSharp on the masked network and ONNX Runtime on the compacted
    /// export, and the prunable weight slots of the full and the compacted file; checks the file's rules.</summary>
    private static (float Error, long Full, long Compact) Compare(PrunableNetwork network, float[] input, int classes)
    {
        var expected = OnnxTestSupport.TorchScores(network, input, Batch);
        var model = OnnxExporter.CreateModel(network, new OnnxExportOptions { Compact = true, Storage = OnnxStorage.Auto });
        OnnxSpecValidator.AssertValid(model, network.Source.Name + " compacted");
        var bytes = model.ToByteArray();
        float error = OnnxTestSupport.MaxAbsDifference(expected, Scores(bytes, input, classes));
        var info = OnnxModelInfo.FromBytes(bytes);
        return (error, network.Source.PrunableLayers.Sum(l => l.WeightCount), info.PrunableWeightCount);
    }

    private static float[] Scores(byte[] model, float[] input, int classes)
    {
        using var session = OnnxTestSupport.Session(model);
        var (scores, _, shape) = OnnxTestSupport.Run(session, input, Batch, input.Length / Batch);
        Assert.Equal(new long[] { Batch, classes }, shape);
        return scores;
    }
}

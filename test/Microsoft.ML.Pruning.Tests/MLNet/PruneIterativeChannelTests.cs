using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Import;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary><c>Granularity = Channel</c> through ML.NET: whole neurons go, the ONNX model is compacted and scores;
/// an imported model is written as its own graph with smaller weights.</summary>
public sealed class PruneIterativeChannelTests
{
    [Fact]
    public void ChannelGranularity_WritesTheSmallerNetwork_AndScoresWithIt()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(300, 1)));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions
            {
                Architecture = NetworkArchitecture.Mlp(16), Rounds = 1, RatePerRound = 0.5, PretrainEpochs = 1, EpochsPerRound = 1,
                Granularity = PruningGranularity.Channel, ChannelNorm = ChannelNorm.L2,
            }))
            .Fit(data);

        var pruning = model.LastTransformer;
        Assert.Equal("channel-l2", pruning.Report.Criterion);
        var info = OnnxModelInfo.FromBytes(pruning.OnnxModel);
        Assert.Equal(new long[] { 8, 784 }, info.Initializers.Single(i => i.Name == "fc1.weight").Shape);
        Assert.Equal(new long[] { 10, 8 }, info.Initializers.Single(i => i.Name == "fc2.weight").Shape);
        var scored = model.Transform(data);
        Assert.Equal(300, scored.GetColumn<float[]>("Score").Count(s => s.Length == 10 && Math.Abs(s.Sum() - 1) < 1e-4));
        model.Dispose();
    }

    [Fact]
    public void ChannelGranularity_WithAnImportedModel_WritesItsGraphCompacted()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(300, 1)));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions
            {
                Model = OnnxModelSource.Load(ImportTestSupport.ModelPath("mlp.onnx")), Rounds = 1, RatePerRound = 0.5, EpochsPerRound = 1,
                Granularity = PruningGranularity.Channel,
            }))
            .Fit(data);

        var info = OnnxModelInfo.FromBytes(model.LastTransformer.OnnxModel);
        Assert.Equal(new long[] { 64, 784 }, info.Initializers.Single(i => i.Name == "fc1.weight").Shape);
        Assert.Equal(new long[] { 32, 64 }, info.Initializers.Single(i => i.Name == "fc2.weight").Shape);
        Assert.Equal(new long[] { 10, 32 }, info.Initializers.Single(i => i.Name == "fc3.weight").Shape);
        var scored = model.Transform(data);
        Assert.Equal(300, scored.GetColumn<float[]>("Score").Count(s => s.Length == 10 && Math.Abs(s.Sum() - 1) < 1e-4));
        model.Dispose();
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Import;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>PruneIterative on the user's own ONNX classifier: the usual Score and PredictedLabel columns, Evaluate,
/// Save and Load; SaveOnnx writes the user's graph with the pruned weights.</summary>
public sealed class PruneIterativeImportedModelTests
{
    public PruneIterativeImportedModelTests() => NetworkTestCases.EnsureTorch();

    [MnistFact]
    public void ImportedMlp_PrunedInAPipeline_EvaluatesSavesAndLoads()
    {
        var split = IdxReader.Read(RepositoryPaths.MnistImages, RepositoryPaths.MnistLabels).SplitByIndex(0.7, 0.1, 0.2);
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(split.Train));
        var test = ml.Data.LoadFromEnumerable(Rows(split.Test));
        // The model's output k is digit k: keys sorted by value make key k + 1 the label "k".
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        var pipeline = toKey.Append(ml.Transforms.PruneIterative(new IterativePruningOptions
        {
            Model = OnnxModelSource.Load(ImportTestSupport.ModelPath("mlp.onnx")),
            Rounds = 1,
            RatePerRound = 0.3,
            EpochsPerRound = 1,
            ValidationData = toKey.Fit(train).Transform(ml.Data.LoadFromEnumerable(Rows(split.Validation))),
            TestData = toKey.Fit(train).Transform(test),
        }));

        using var model = pipeline.Fit(train);
        var pruning = model.LastTransformer;
        Assert.Equal(0, pruning.Report.Dense!.Epochs);
        Assert.True(pruning.Report.Dense.TestMetric > 0.9, $"the imported weights score {pruning.Report.Dense.TestMetric}");
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.Equal(pruning.Report.Final!.TestMetric, metrics.MicroAccuracy, 3);

        using var dir = new TempDirectory();
        ml.Model.Save(model, train.Schema, dir.File("model.zip"));
        var loaded = new MLContext(seed: 2).Model.Load(dir.File("model.zip"), out _);
        var reloaded = ml.MulticlassClassification.Evaluate(loaded.Transform(test));
        Assert.Equal(metrics.MicroAccuracy, reloaded.MicroAccuracy);
        (loaded as IDisposable)?.Dispose();

        pruning.SaveOnnx(dir.File("pruned.onnx"));
        var saved = ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("pruned.onnx")));
        Assert.Equal("input", saved.Graph.Input.Single().Name);
        Assert.Equal("log_probs", saved.Graph.Output.Single().Name);
        Assert.Equal(0.3, Microsoft.ML.Pruning.Onnx.OnnxModelInfo.FromBytes(pruning.OnnxModel).Sparsity, 2);
    }

    [Fact]
    public void FeaturesThatDoNotFitTheModel_AreRefusedBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(60, 1)));
        var g = new TestGraph(13, new long[] { 12 });
        var small = OnnxModelSource.FromBytes(g.Build(g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }) }, TestGraph.Int("transB", 1))), "small.onnx");
        var estimator = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.PruneIterative(new IterativePruningOptions { Model = small }));
        var e = Assert.Throws<ArgumentException>(() => estimator.Fit(data));
        Assert.Contains("feature column 'Features' holds 784 values but the model 'small.onnx' takes 12", e.Message);
    }

    private static List<DigitRow> Rows(InMemoryDataset data) => Enumerable.Range(0, data.Count)
        .Select(i => new DigitRow { Label = data.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture), Features = data.Row(i).ToArray() })
        .ToList();
}

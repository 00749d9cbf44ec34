using Microsoft.ML.Data;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>The label column's type picks the task: Boolean is binary classification, Single regression, each scored
/// and evaluated through ML.NET's own evaluators with their default columns, and saved and loaded unchanged.</summary>
public sealed class PruneIterativeTabularTests
{
    private static IterativePruningOptions Options(IDataView test) => new()
    {
        Architecture = NetworkArchitecture.Mlp(16),
        Rounds = 2,
        RatePerRound = 0.3,
        PretrainEpochs = 40,
        EpochsPerRound = 10,
        BatchSize = 32,
        Stopping = new FixedEpochsPolicy(10),
        TestData = test,
        Seed = 5,
    };

    /// <summary>Features normalised to mean 0 and variance 1, then pruned; the test rows, normalised the same way, are
    /// the run's validation data.</summary>
    private static TransformerChain<MagnitudePruningTransformer> FitNormalizedAndPruned(MLContext ml, IDataView train, IDataView test)
    {
        var normalize = ml.Transforms.NormalizeMeanVariance("Features").Fit(train);
        return ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Transforms.PruneIterative(Options(normalize.Transform(test))))
            .Fit(train);
    }

    [Fact]
    public void BooleanLabelTrainsABinaryClassifierThatMLNetEvaluatesAndReloads()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TabularRows.YesNo(300, seed: 1));
        var test = ml.Data.LoadFromEnumerable(TabularRows.YesNo(200, seed: 2));
        var model = FitNormalizedAndPruned(ml, train, test);
        var report = model.LastTransformer.Report;
        Assert.Equal("binary", report.Task);

        var scored = model.Transform(test);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        var metrics = ml.BinaryClassification.Evaluate(scored);

        // ONNX Runtime in ML.NET scores what the engine measured in TorchSharp.
        Assert.Equal(report.Final!.TestMetric, metrics.Accuracy, 3);
        Assert.Equal(report.Final.TestAuc!.Value, metrics.AreaUnderRocCurve, 3);
        Assert.True(metrics.AreaUnderRocCurve > 0.85, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.True(report.Final.Sparsity > 0.4, $"sparsity {report.Final.Sparsity}");

        using var dir = new TempDirectory();
        string path = dir.File("binary.zip");
        ml.Model.Save(model, train.Schema, path);
        model.Dispose();

        // The saved chain ends with this library's scalar step (ML.NET finds it by contract name once registered).
        Assert.True(SavedModelMentions(path, ScalarScoreMapping.BinaryContractName));

        var fresh = new MLContext(seed: 3);
        ScalarScoreMapping.Register(fresh);
        var loaded = fresh.Model.Load(path, out _);
        var reloaded = fresh.BinaryClassification.Evaluate(loaded.Transform(fresh.Data.LoadFromEnumerable(TabularRows.YesNo(200, seed: 2))));
        Assert.Equal(metrics.Accuracy, reloaded.Accuracy);
        Assert.Equal(metrics.AreaUnderRocCurve, reloaded.AreaUnderRocCurve);
        Assert.Equal(metrics.LogLoss, reloaded.LogLoss);
        (loaded as IDisposable)?.Dispose();
    }

    [Fact]
    public void SingleLabelTrainsARegressorOnRawTargetsThatMLNetEvaluatesAndReloads()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TabularRows.Values(300, seed: 3));
        var test = ml.Data.LoadFromEnumerable(TabularRows.Values(200, seed: 4));
        var model = FitNormalizedAndPruned(ml, train, test);
        var report = model.LastTransformer.Report;
        Assert.Equal("regression", report.Task);
        Assert.Equal("r2", report.Metric);

        var scored = model.Transform(test);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Score"].Type);
        var metrics = ml.Regression.Evaluate(scored);
        Assert.Equal(report.Final!.TestMetric, metrics.RSquared, 3);
        Assert.True(metrics.RSquared > 0.5, $"R² {metrics.RSquared}");

        // Targets are trained standardised; the graph maps Score back to the label's own scale (around 150).
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.InRange(scores.Average(), 100, 200);

        using var dir = new TempDirectory();
        string path = dir.File("regression.zip");
        ml.Model.Save(model, train.Schema, path);
        model.Dispose();
        var fresh = new MLContext(seed: 3);
        ScalarScoreMapping.Register(fresh);
        var loaded = fresh.Model.Load(path, out _);
        var reloaded = fresh.Regression.Evaluate(loaded.Transform(fresh.Data.LoadFromEnumerable(TabularRows.Values(200, seed: 4))));
        Assert.Equal(metrics.RSquared, reloaded.RSquared);
        Assert.Equal(metrics.MeanAbsoluteError, reloaded.MeanAbsoluteError);
        (loaded as IDisposable)?.Dispose();
    }

    private static bool SavedModelMentions(string path, string text)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            if (System.Text.Encoding.UTF8.GetString(bytes).Contains(text) || System.Text.Encoding.Unicode.GetString(bytes).Contains(text))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class VectorLabelRow
    {
        [VectorType(2)]
        public float[] Label { get; set; } = Array.Empty<float>();

        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class DoubleLabelRow
    {
        public double Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void VectorLabelIsRefusedNamingTheColumnAndTheAcceptedTypes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new VectorLabelRow { Label = new[] { i, 1f }, Features = new[] { i, 2f } }));
        var estimator = ml.Transforms.PruneIterative(new IterativePruningOptions { Architecture = NetworkArchitecture.Mlp(4), Rounds = 1 });
        foreach (var e in new[]
        {
            Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(data)),
            Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(ShapeOf(data.Schema))),
        })
        {
            Assert.Contains("label column 'Label'", e.Message);
            Assert.Contains("Boolean (binary classification) or Single (regression)", e.Message);
            Assert.Contains("Vector<Single, 2>", e.Message.Replace("a vector of Single", "Vector<Single, 2>"));
        }
    }

    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!
            .Invoke(null, new object[] { schema })!;

    [Fact]
    public void DoubleLabelIsRefusedWithTheConversionToUse()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new DoubleLabelRow { Label = i, Features = new[] { i, 2f } }));
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.PruneIterative(new IterativePruningOptions { Architecture = NetworkArchitecture.Mlp(4), Rounds = 1 }).Fit(data));
        Assert.Contains("label column 'Label'", e.Message);
        Assert.Contains("but is Double", e.Message);
        Assert.Contains("ConvertType", e.Message);
    }

    [Fact]
    public void BinaryLabelThatIsAllTrueIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var rows = TabularRows.YesNo(40, seed: 1).Select(r => new YesNoRow { Label = true, Features = r.Features });
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.PruneIterative(new IterativePruningOptions { Architecture = NetworkArchitecture.Mlp(4), Rounds = 1 }).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("only one value", e.Message);
    }
}

using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>Every bad input is refused with a clear message before any training (no progress is ever reported).</summary>
public sealed class PruneIterativeBadInputTests
{
    private sealed class ProgressSpy : IProgress<PruningProgress>
    {
        public int Reports { get; private set; }

        public void Report(PruningProgress value) => Reports++;
    }

    private sealed class VariableRow
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class SmallRow
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class DoubleRow
    {
        public string Label { get; set; } = "";

        [VectorType(2)]
        public double[] Features { get; set; } = Array.Empty<double>();
    }

    private static readonly MLContext Ml = new(1);

    private static IterativePruningOptions Quick(ProgressSpy spy) => new()
    {
        Architecture = NetworkArchitecture.Mlp(8), Rounds = 1, PretrainEpochs = 1, EpochsPerRound = 1, Progress = spy,
    };

    private static ArgumentException FitFails<TRow>(IEnumerable<TRow> rows, Func<ProgressSpy, IterativePruningOptions> options, string expected)
        where TRow : class
    {
        var spy = new ProgressSpy();
        var data = Ml.Data.LoadFromEnumerable(rows);
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label").Append(Ml.Transforms.PruneIterative(options(spy)));
        var e = Assert.ThrowsAny<ArgumentException>(() => pipeline.Fit(data));
        Assert.Contains(expected, e.Message);
        Assert.Equal(0, spy.Reports);
        return e;
    }

    private static List<SmallRow> Small(int count, Func<int, float> value, int classes = 3) => Enumerable.Range(0, count)
        .Select(i => new SmallRow { Label = (i % classes).ToString(), Features = new[] { value(i), 1f, 2f, 3f } }).ToList();

    [Fact]
    public void MissingFeatureColumn() =>
        FitFails(Small(30, i => i), spy => Quick(spy).With(o => o.FeatureColumnName = "Pixels"), "'Pixels'");

    [Fact]
    public void MissingLabelColumn()
    {
        var spy = new ProgressSpy();
        var data = Ml.Data.LoadFromEnumerable(Small(30, i => i));
        var estimator = Ml.Transforms.PruneIterative(Quick(spy).With(o => o.LabelColumnName = "Digit"));
        var e = Assert.ThrowsAny<ArgumentException>(() => estimator.Fit(data));
        Assert.Contains("'Digit'", e.Message);
    }

    [Fact]
    public void LabelThatIsNotAKey()
    {
        var spy = new ProgressSpy();
        var data = Ml.Data.LoadFromEnumerable(Small(30, i => i));
        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(Quick(spy)).Fit(data));
        Assert.Contains("label column 'Label'", e.Message);
        Assert.Contains("a key (multiclass classification: MapValueToKey), Boolean (binary classification) or Single (regression)", e.Message);
        Assert.Contains("but is String", e.Message);
    }

    [Fact]
    public void FeaturesOfTheWrongType() =>
        FitFails(Enumerable.Range(0, 30).Select(i => new DoubleRow { Label = (i % 2).ToString(), Features = new double[] { i, 1 } }), Quick, "vector of Single");

    [Fact]
    public void VariableSizeFeatureVector() =>
        FitFails(Enumerable.Range(0, 30).Select(i => new VariableRow { Label = (i % 2).ToString(), Features = new float[] { i, 1 } }), Quick, "variable-size");

    [Fact]
    public void InputShapeThatDoesNotMatchTheFeatureSize() =>
        FitFails(Small(30, i => i), spy => Quick(spy).With(o => { o.Architecture = NetworkArchitecture.LeNet5(); o.InputShape = new ImageShape(1, 28, 28); }), "784");

    [Fact]
    public void ConvNetWithoutInputShape() =>
        FitFails(Small(30, i => i), spy => Quick(spy).With(o => o.Architecture = NetworkArchitecture.LeNet5()), "image shape");

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteFeatures(float bad) =>
        FitFails(Small(30, i => i == 17 ? bad : i), Quick, "Row 17");

    [Fact]
    public void ValidationDataWithMoreClassesThanTheNetworkHasOutputs()
    {
        var spy = new ProgressSpy();
        var train = Ml.Data.LoadFromEnumerable(Small(30, i => i, classes: 3));
        var validation = Ml.Data.LoadFromEnumerable(Small(30, i => i, classes: 5));
        var trainKeyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        var validationKeyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(validation).Transform(validation);
        var options = Quick(spy).With(o => o.ValidationData = validationKeyed);

        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(options).Fit(trainKeyed));

        Assert.Contains("5 classes", e.Message);
        Assert.Contains("3 outputs", e.Message);
        Assert.Equal(0, spy.Reports);
    }

    [Fact]
    public void TestDataThatSkippedTheLabelMapping()
    {
        var rawTest = Ml.Data.LoadFromEnumerable(Small(30, i => i));
        var e = FitFails(Small(30, i => i), spy => Quick(spy).With(o => o.TestData = rawTest), "of the test data must be a key (multiclass classification: MapValueToKey)");
        Assert.Contains("MapValueToKey fitted on the training data", e.Message);
    }

    [Fact]
    public void ValidationDataWithItsOwnLabelMapping()
    {
        // Same three classes, first seen in another order: a separately fitted MapValueToKey numbers them differently.
        var validation = Ml.Data.LoadFromEnumerable(Small(30, i => i).Select(r => new SmallRow { Label = ((int.Parse(r.Label) + 1) % 3).ToString(), Features = r.Features }).ToList());
        var validationKeyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(validation).Transform(validation);

        var e = FitFails(Small(30, i => i), spy => Quick(spy).With(o => o.ValidationData = validationKeyed), "maps its values to keys differently");
        Assert.Contains("ValidationData", e.Message);
        Assert.Contains("key 1 is '1' there but '0' in the training data", e.Message);
    }

    [Fact]
    public void ValidationDataMappedWithTheTrainingMappingIsAccepted()
    {
        var train = Ml.Data.LoadFromEnumerable(Small(60, i => i % 3 * 10));
        var validation = Ml.Data.LoadFromEnumerable(Small(30, i => i % 3 * 10).AsEnumerable().Reverse().ToList());
        var keyMap = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);

        using var model = Ml.Transforms.PruneIterative(Quick(new ProgressSpy()).With(o => o.ValidationData = keyMap.Transform(validation))).Fit(keyMap.Transform(train));

        Assert.Single(model.Report.Rounds);
    }

    [Fact]
    public void EmptyData() => FitFails(new List<SmallRow>(), Quick, "no rows");

    [Fact]
    public void SingleClass() => FitFails(Small(30, i => i, classes: 1), Quick, "single class");

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    public void RateOutsideZeroOne(double rate)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(new IterativePruningOptions { RatePerRound = rate }));
        Assert.Equal("RatePerRound", e.ParamName);
    }

    [Fact]
    public void NegativeRounds()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(new IterativePruningOptions { Rounds = -1 }));
        Assert.Equal("Rounds", e.ParamName);
    }

    [Fact]
    public void EpsilonNotPositive() =>
        Assert.Equal("epsilon", Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(stopping: new IcpStoppingPolicy(FlowKind.Information, epsilon: 0))).ParamName);

    [Fact]
    public void MinEpochsAboveMaxEpochs() =>
        Assert.Equal("maxEpochs", Assert.ThrowsAny<ArgumentException>(() => new IcpStoppingPolicy(minEpochs: 5, maxEpochs: 2)).ParamName);

    [Fact]
    public void UnwritableCheckpointFolder()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "not a folder");
        var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Transforms.PruneIterative(new IterativePruningOptions { CheckpointDirectory = Path.Combine(dir.File("file"), "sub") }));
        Assert.Equal("CheckpointDirectory", e.ParamName);
    }

    [Fact]
    public void OutputSchemaNamesTheMissingColumn()
    {
        var data = Ml.Data.LoadFromEnumerable(Small(10, i => i));
        var estimator = Ml.Transforms.PruneIterative(new IterativePruningOptions { FeatureColumnName = "Pixels" });
        var schema = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data).Schema;
        var shape = (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!
            .Invoke(null, new object[] { schema })!;
        var e = Assert.ThrowsAny<ArgumentException>(() => estimator.GetOutputSchema(shape));
        Assert.Contains("'Pixels'", e.Message);
    }
}

internal static class OptionsExtensions
{
    public static IterativePruningOptions With(this IterativePruningOptions options, Action<IterativePruningOptions> change)
    {
        change(options);
        return options;
    }
}

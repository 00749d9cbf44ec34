using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.MLNet;

public sealed class PruneIterativeEndToEndTests
{
    private static void RunPipeline(DataSplit split, NetworkArchitecture architecture, int pretrain, int rounds, int epochs)
    {
        var ml = new MLContext(seed: 1);
        var logs = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("PruneIterative")) { lock (logs) { logs.Add(e.Message); } } };
        var trainView = ml.Data.LoadFromEnumerable(DigitRows.From(split.Train));
        var testView = ml.Data.LoadFromEnumerable(DigitRows.From(split.Test));
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainView);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions
            {
                Architecture = architecture,
                Rounds = rounds,
                PretrainEpochs = pretrain,
                EpochsPerRound = epochs,
                Stopping = new IcpStoppingPolicy(FlowKind.Information, maxEpochs: epochs),
                ValidationData = toKey.Transform(ml.Data.LoadFromEnumerable(DigitRows.From(split.Validation))),
                TestData = toKey.Transform(testView),
                Seed = 3,
            }));

        var model = pipeline.Fit(trainView);
        var pruning = model.LastTransformer;
        var scored = model.Transform(testView);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        // The pipeline scores through ONNX Runtime exactly what the engine measured in TorchSharp.
        Assert.Equal(pruning.Report.Final!.TestMetric, metrics.MicroAccuracy, 3);
        Assert.InRange(metrics.MacroAccuracy, pruning.Report.Final.TestMetric - 0.01, pruning.Report.Final.TestMetric + 0.01);
        Assert.True(pruning.Report.Final.Sparsity > 0.3, $"sparsity {pruning.Report.Final.Sparsity}");
        Assert.Contains(logs, m => m.Contains("round 1/"));

        using var dir = new TempDirectory();
        string path = dir.File("model.zip");
        ml.Model.Save(model, trainView.Schema, path);
        float[][] before = Scores(ml, scored);
        model.Dispose();

        // The saved model holds only ML.NET's own transformers: nothing of this library is needed to load it.
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("Pruning", StringComparison.OrdinalIgnoreCase));
            Assert.Contains(zip.Entries, e => e.FullName.Contains("OnnxTransform", StringComparison.OrdinalIgnoreCase) || e.FullName.Contains("Onnx", StringComparison.OrdinalIgnoreCase));
        }

        var fresh = new MLContext(seed: 7) { TempFilePath = dir.File("mlnet-temp") };
        Directory.CreateDirectory(fresh.TempFilePath);
        var loaded = fresh.Model.Load(path, out var inputSchema);
        var rescored = loaded.Transform(fresh.Data.LoadFromEnumerable(DigitRows.From(split.Test)));
        float[][] after = Scores(fresh, rescored);
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i], after[i]);
        }

        var engine = fresh.Model.CreatePredictionEngine<DigitRow, DigitPrediction>(loaded);
        var prediction = engine.Predict(DigitRows.From(split.Test)[0]);
        Assert.Equal(10, prediction.Score.Length);
        Assert.Equal(1.0f, prediction.Score.Sum(), 3);
        Assert.Equal((uint)(Array.IndexOf(prediction.Score, prediction.Score.Max()) + 1), prediction.PredictedLabel.Single());
        engine.Dispose();
        (loaded as IDisposable)?.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Empty(Directory.GetFiles(fresh.TempFilePath));
    }

    private static float[][] Scores(MLContext ml, IDataView scored) =>
        scored.GetColumn<float[]>("Score").ToArray();

    [Fact]
    public void SyntheticDigitsThroughTheWholePipeline()
    {
        var data = SyntheticDigits.Generate(1500, 5);
        RunPipeline(data.SplitByIndex(0.7, 0.1, 0.2), NetworkArchitecture.Mlp(64, 32), pretrain: 3, rounds: 2, epochs: 2);
    }

    [MnistFact]
    public void Mnist10kThroughTheWholePipeline()
    {
        var data = IdxReader.Read(RepositoryPaths.MnistImages, RepositoryPaths.MnistLabels);
        RunPipeline(data.SplitByIndex(0.7, 0.1, 0.2), NetworkArchitecture.Mlp(100, 50), pretrain: 3, rounds: 2, epochs: 2);
    }

    [Fact]
    public void PredictedLabelCarriesTheLabelsKeyValues()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(300, 1)));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions { Architecture = NetworkArchitecture.Mlp(16), Rounds = 1, PretrainEpochs = 1, EpochsPerRound = 1 }))
            .Fit(data);
        var scored = model.Transform(data);
        VBuffer<ReadOnlyMemory<char>> labelValues = default, predictedValues = default;
        scored.Schema["Label"].GetKeyValues(ref labelValues);
        scored.Schema["PredictedLabel"].GetKeyValues(ref predictedValues);

        Assert.Equal(labelValues.DenseValues().Select(v => v.ToString()), predictedValues.DenseValues().Select(v => v.ToString()));
        Assert.Equal(10, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        model.Dispose();
    }

    [Fact]
    public void NoTemporaryFilesAreLeftBehind()
    {
        string folder = Path.Combine(Path.GetTempPath(), "microsoft.ml.pruning", "models");
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(200, 2)));
        var before = Directory.Exists(folder) ? Directory.GetFiles(folder).ToHashSet() : new HashSet<string>();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions { Architecture = NetworkArchitecture.Mlp(8), Rounds = 1, PretrainEpochs = 1, EpochsPerRound = 1 }))
            .Fit(data);
        model.Transform(data).GetColumn<float[]>("Score").ToArray();
        model.Dispose();

        var after = Directory.Exists(folder) ? Directory.GetFiles(folder).ToHashSet() : new HashSet<string>();
        Assert.Empty(after.Except(before));
    }

    [Fact]
    public void SaveOnnxWritesTheModelAndRefusesAnUnwritablePath()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(DigitRows.From(SyntheticDigits.Generate(200, 2)));
        using var pruning = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.PruneIterative(new IterativePruningOptions
        {
            Architecture = NetworkArchitecture.Mlp(8), Rounds = 1, PretrainEpochs = 1, EpochsPerRound = 1,
        })).Fit(data).LastTransformer;
        using var dir = new TempDirectory();

        pruning.SaveOnnx(dir.File("model.onnx"));

        Assert.Equal(pruning.OnnxModel, File.ReadAllBytes(dir.File("model.onnx")));
        File.WriteAllText(dir.File("blocker"), "a file, not a folder");
        var e = Assert.Throws<IOException>(() => pruning.SaveOnnx(Path.Combine(dir.File("blocker"), "model.onnx")));
        Assert.Contains("blocker", e.Message);
    }
}

using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>Metadata written and read back through ONNX Runtime; atomic saving.</summary>
public sealed class OnnxMetadataAndSaveTests
{
    public OnnxMetadataAndSaveTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void MetadataFrom_DescribesTheRun_AndRoundTripsThroughOnnxRuntime()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 1);
        using var masks = new MaskSet(network);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.2), PruningScope.Layerwise);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.2), PruningScope.Layerwise);
        var report = new PruningReport
        {
            Method = "lth",
            Architecture = "lenet300",
            Seed = 42,
            Dense = new DenseResult { ValMetric = 0.975, TestMetric = 0.9712, Epochs = 5, WallSeconds = 12.5 },
            Rounds = new[]
            {
                new RoundResult { Round = 1, Sparsity = 0.2, LayerSparsity = new Dictionary<string, double> { ["fc1"] = 0.2 } },
                new RoundResult { Round = 2, Sparsity = 0.36, LayerSparsity = new Dictionary<string, double> { ["fc1"] = 0.36 } },
            },
            Final = new FinalResult { Sparsity = 0.36, ValMetric = 0.97, TestMetric = 0.9688 },
            TotalEpochs = 17,
        };

        var metadata = OnnxExporter.MetadataFrom(report, masks);
        Assert.StartsWith("Microsoft.ML.Pruning ", metadata[OnnxMetadataKeys.Producer]);
        Assert.Equal("lth", metadata[OnnxMetadataKeys.Method]);
        Assert.Equal("lenet300", metadata[OnnxMetadataKeys.Architecture]);
        Assert.Equal("42", metadata[OnnxMetadataKeys.Seed]);
        Assert.Equal("2", metadata[OnnxMetadataKeys.Rounds]);
        Assert.Equal(masks.Sparsity, double.Parse(metadata[OnnxMetadataKeys.Sparsity], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.36, double.Parse(metadata[OnnxMetadataKeys.Sparsity], System.Globalization.CultureInfo.InvariantCulture), 3);
        foreach (var layer in new[] { "fc1", "fc2", "fc3" })
        {
            Assert.Equal(masks[layer].Sparsity.ToString("R", System.Globalization.CultureInfo.InvariantCulture), metadata["layerSparsity." + layer]);
        }

        Assert.Equal("multiclass", metadata[OnnxMetadataKeys.Task]);
        Assert.Equal("accuracy", metadata[OnnxMetadataKeys.Metric]);
        Assert.Equal("0.975", metadata[OnnxMetadataKeys.DenseValMetric]);
        Assert.Equal("0.9712", metadata[OnnxMetadataKeys.DenseTestMetric]);
        Assert.Equal("5", metadata[OnnxMetadataKeys.DenseEpochs]);
        Assert.Equal("0.97", metadata[OnnxMetadataKeys.FinalValMetric]);
        Assert.Equal("0.9688", metadata[OnnxMetadataKeys.FinalTestMetric]);
        Assert.Equal("17", metadata[OnnxMetadataKeys.TotalEpochs]);

        // Without masks the figures come from the report.
        var fromReport = OnnxExporter.MetadataFrom(report);
        Assert.Equal("0.36", fromReport[OnnxMetadataKeys.Sparsity]);
        Assert.Equal("0.36", fromReport["layerSparsity.fc1"]);

        var model = OnnxExporter.Export(network, new OnnxExportOptions { Metadata = metadata, Description = "a test model", ModelVersion = 3 });
        using var session = OnnxTestSupport.Session(model);
        var read = session.ModelMetadata;
        Assert.Equal(metadata.OrderBy(kv => kv.Key), read.CustomMetadataMap.OrderBy(kv => kv.Key));
        Assert.Equal("Microsoft.ML.Pruning", read.ProducerName);
        Assert.Equal("lenet300", read.GraphName);
        Assert.Equal("a test model", read.Description);
        Assert.Equal(3, read.Version);
    }

    [Fact]
    public void Save_WritesTheExportedBytes_Atomically_LeavingNoTemporaryFiles()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 1);
        using var temp = new TempDirectory();
        string path = temp.File(Path.Combine("out", "model.onnx"));
        var options = new OnnxExportOptions { Storage = OnnxStorage.Auto };

        File.WriteAllText(temp.File("other.txt"), "unrelated");
        OnnxExporter.Save(network, path, options);
        OnnxExporter.Save(network, path, options); // replaces the file

        Assert.Equal(OnnxExporter.Export(network, options), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        using var session = new OnnxRuntime.InferenceSession(path);
        Assert.Equal(new[] { "Score", "PredictedLabel" }, session.OutputNames);
    }

    [Fact]
    public void Save_ToAPathThatCannotBeWritten_ThrowsIOExceptionNamingIt_AndLeavesNothing()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 1);
        using var temp = new TempDirectory();
        string file = temp.File("a-file");
        File.WriteAllText(file, "not a folder");
        string path = Path.Combine(file, "model.onnx"); // its "folder" is a file

        var error = Assert.Throws<IOException>(() => OnnxExporter.Save(network, path));
        Assert.Contains(path, error.Message);
        Assert.Equal(new[] { "a-file" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}

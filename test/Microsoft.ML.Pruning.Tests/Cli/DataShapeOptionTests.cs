using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tests.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>--input-shape lets convolutional networks train on CSV images; --classes declares a class count.</summary>
public sealed class DataShapeOptionTests
{
    [Fact]
    public async Task ConvolutionalNetworkTrainsOnCsvImagesGivenTheirShape()
    {
        using var dir = new TempDirectory();
        string csv = TinyCsv.Images(dir.Path, side: 28);

        var (code, _, stderr) = await Run("prune", "--data", $"csv:{csv}", "--input-shape", "1,28,28", "--arch", "lenet5",
            "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--out", dir.File("out"));

        Assert.True(code == 0, stderr);
        Assert.Contains("network lenet5:", stderr);
        var model = OnnxModelInfo.Read(Path.Combine(dir.File("out"), "model.onnx"));
        Assert.Contains(model.Initializers, i => i.IsPrunableWeight && i.Shape.Count == 4); // convolution kernels
    }

    [Fact]
    public async Task DeclaredClassCountAdmitsIdxLabelsAboveNineAndWidensTheOutput()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("images"), TestDataFiles.IdxImages(60, 4, 4));
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(Enumerable.Range(0, 60).Select(i => (byte)(i % 13)).ToArray()));

        var (code, _, stderr) = await Run("prune", "--data", $"idx:{dir.File("images")},{dir.File("labels")}", "--classes", "13", "--arch", "mlp:8",
            "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--out", dir.File("out"));

        Assert.True(code == 0, stderr);
        Assert.Contains("13 classes", stderr);
        var model = OnnxModelInfo.Read(Path.Combine(dir.File("out"), "model.onnx"));
        Assert.Equal("13", model.Outputs[0].Shape[^1]);
    }
}

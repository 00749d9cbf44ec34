using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Tests.Networks;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>The models PyTorch's own exporter made (an MLP, a CNN with batch norm and a view() flatten, a residual
/// CNN) import, and the imported network computes what ONNX Runtime computes on the original file.</summary>
public sealed class PyTorchModelImportTests
{
    public PyTorchModelImportTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string> Models => ImportTestSupport.PyTorchModels;

    [Theory]
    [MemberData(nameof(Models))]
    public void ImportedNetwork_MatchesOnnxRuntimeOnTheOriginal(string file)
    {
        var bytes = ImportTestSupport.ModelBytes(file);
        var source = OnnxModelSource.FromBytes(bytes, file);
        foreach (int rows in new[] { 1, 37 })
        {
            var input = ImportTestSupport.Rows(rows, source.InputFeatures);
            var (expected, shape) = ImportTestSupport.RunOnnx(bytes, source.InputName, input, ImportTestSupport.InputShape(source, rows));
            Assert.Equal(new long[] { rows, 10 }, shape);
            var actual = ImportTestSupport.ImportedOutputs(source, input, rows);
            float difference = ImportTestSupport.MaxRelativeDifference(expected, actual);
            Assert.True(difference < 1e-5f, $"{file}, {rows} rows: max difference {difference}");
        }
    }

    [Fact]
    public void Mlp_IsThreeLinearLayers_OnTheMainPath_TrainingOnTheLogitsBeforeLogSoftmax()
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("mlp.onnx"));
        Assert.Equal(784, source.InputFeatures);
        Assert.Equal(10, source.OutputWidth);
        Assert.Equal("LogSoftmax", source.FinalActivation);
        Assert.Equal(new[] { "/fc1/Gemm", "/fc2/Gemm", "/fc3/Gemm" }, source.PrunableLayers.Select(l => l.Name));
        Assert.All(source.PrunableLayers, l => Assert.Equal(PrunableLayerKind.Linear, l.Kind));
        Assert.Equal(new long[] { 128, 784 }, source.PrunableLayers[0].WeightShape);
        Assert.All(source.PrunableLayers, l => Assert.True(l.OnMainPath));
        Assert.True(source.HasTrainedWeights);
    }

    [Fact]
    public void ResidualNet_ProjectionShortcutIsOffTheMainPath()
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("resnet.onnx"));
        Assert.Equal(new long[] { 1, 28, 28 }, source.InputShape);
        Assert.Equal("Softmax", source.FinalActivation);
        var offMain = source.PrunableLayers.Where(l => !l.OnMainPath).Select(l => l.Name).ToList();
        Assert.Equal(new[] { "/block2/shortcut/shortcut.0/Conv" }, offMain);
        Assert.Equal(7, source.PrunableLayers.Count); // stem, 2 + 2 block convs, the shortcut, fc
        Assert.Equal(new long[] { 32, 16, 1, 1 }, source.PrunableLayers.Single(l => !l.OnMainPath).WeightShape);
    }

    [Fact]
    public void Describe_ListsNodesWithShapesForAnyBatch()
    {
        var source = OnnxModelSource.Load(ImportTestSupport.ModelPath("cnn_bn.onnx"));
        string text = source.Describe();
        Assert.Contains("input 'image' [N, 1, 28, 28] = 784 features", text);
        Assert.Contains("/Reshape", text);
        Assert.Contains("[N, 784]", text);
        Assert.Contains("prunable Conv2d [8, 1, 3, 3]", text);
    }
}

using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Import;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>mlnet-prune inspect</c> on a model exported by PyTorch: its operators, and what <c>prune --model</c>
/// makes of it.</summary>
public sealed class InspectImportedModelTests
{
    [Fact]
    public async Task DescribesAPyTorchGraph_ItsOperatorsNodesAndPrunableLayers()
    {
        var (code, stdout, stderr) = await Run("inspect", ImportTestSupport.ModelPath("resnet.onnx"));

        Assert.True(code == 0, stderr);
        Assert.Contains("operators: Identity 1, Conv 6, BatchNormalization 6, Relu 5, Add 2, GlobalAveragePool 1, Shape 1, Constant 2, Gather 1, Unsqueeze 2, Concat 1, Reshape 1, Gemm 1, Softmax 1", stdout);
        Assert.Contains("as a model to prune (--model): 7 prunable layers, 10 classes", stdout);
        Assert.Contains("input 'image' [N, 1, 28, 28] = 784 features", stdout);
        Assert.Contains("prunable Conv2d [32, 16, 1, 1], shortcut", stdout);
        Assert.Contains("block2.conv1.weight *", stdout); // the weights among the initializers, marked prunable

        var (jsonCode, json, _) = await Run("inspect", ImportTestSupport.ModelPath("resnet.onnx"), "--format", "json");
        Assert.Equal(0, jsonCode);
        Assert.Equal(6, JsonDocument.Parse(json).RootElement.GetProperty("operators").GetProperty("Conv").GetInt32());
    }

    [Fact]
    public async Task SaysWhyAModelCannotBePruned()
    {
        using var dir = new TempDirectory();
        var g = new TestGraph(13, new long[] { 12 });
        string gemm = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1));
        File.WriteAllBytes(dir.File("erf.onnx"), g.Build(g.Node("Erf", new[] { gemm })));

        var (code, stdout, _) = await Run("inspect", dir.File("erf.onnx"));
        Assert.Equal(0, code);
        Assert.Contains("as a model to prune (--model): not supported: ONNX model 'erf.onnx': node 'erf", stdout);
    }
}

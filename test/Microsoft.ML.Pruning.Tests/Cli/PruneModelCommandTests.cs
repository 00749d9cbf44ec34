using System.Text.Json;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Import;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>prune --model</c>: the user's ONNX classifier in, the same graph with pruned weights out; bad models and
/// mismatched data refused before any training.</summary>
public sealed class PruneModelCommandTests
{
    [MnistFact]
    public async Task PrunesAnImportedMlpWithIcp_StartingFromItsWeights_AndWritesTheUsersGraph()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--model", ImportTestSupport.ModelPath("mlp.onnx"),
            "--data", $"idx:{RepositoryPaths.MnistImages},{RepositoryPaths.MnistLabels}", "--split", "0.7,0.1,0.2",
            "--method", "icp-if", "--rounds", "2", "--rate", "0.3", "--epochs", "1", "--storage", "dense", "--format", "json", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("mlp.onnx", report.GetProperty("architecture").GetString());
        var dense = report.GetProperty("dense");
        Assert.Equal(0, dense.GetProperty("epochs").GetInt32()); // no pre-training: the dense reference is the imported model
        Assert.True(dense.GetProperty("testAccuracy").GetDouble() > 0.9, "the imported weights are trained");
        Assert.Equal(0.51, report.GetProperty("final").GetProperty("sparsity").GetDouble(), 2);

        var original = ModelProto.Parser.ParseFrom(ImportTestSupport.ModelBytes("mlp.onnx"));
        var pruned = ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("model.onnx")));
        Assert.Equal(original.Graph.Input, pruned.Graph.Input);
        Assert.Equal(original.Graph.Output, pruned.Graph.Output);
        Assert.Equal(original.Graph.Node.Select(n => n.Name), pruned.Graph.Node.Select(n => n.Name));
        var info = OnnxModelInfo.FromBytes(File.ReadAllBytes(dir.File("model.onnx")));
        Assert.Equal(0.51, info.Sparsity, 2);
        Assert.Equal("icp-if", info.Metadata[OnnxMetadataKeys.Method]);
    }

    [Fact]
    public async Task ModelAndArchTogether_IsBadUsage()
    {
        var (code, _, stderr) = await Run("prune", "--model", ImportTestSupport.ModelPath("mlp.onnx"), "--arch", "lenet300");
        Assert.Equal(2, code);
        Assert.Contains("--model and --arch", stderr);
    }

    [Fact]
    public async Task UnsupportedOperator_IsBadUsage_NamingTheNode_BeforeAnyTraining()
    {
        using var dir = new TempDirectory();
        var g = new TestGraph(13, new long[] { 784 });
        string gemm = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 784 }) }, Int("transB", 1));
        File.WriteAllBytes(dir.File("erf.onnx"), g.Build(g.Node("Erf", new[] { gemm })));

        var (code, _, stderr) = await Run("prune", "--model", dir.File("erf.onnx"), "--out", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("node 'erf", stderr);
        Assert.Contains("(Erf)", stderr);
        Assert.DoesNotContain("epoch", stderr);
        Assert.False(File.Exists(dir.File("report.json")));
    }

    [Fact]
    public async Task DataThatDoesNotFitTheModelsInput_IsBadUsage()
    {
        using var dir = new TempDirectory();
        var g = new TestGraph(13, new long[] { 12 });
        File.WriteAllBytes(dir.File("small.onnx"), g.Build(g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1))));

        var (code, _, stderr) = await Run("prune", "--model", dir.File("small.onnx"), "--out", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("784 features but --model 'small.onnx' takes 12 (input 'x' [N, 12])", stderr);
    }

    [Fact]
    public async Task ATwoClassTableForAModelThatScoresTenClasses_IsBadUsageBeforeTraining_NamingTheTaskOption()
    {
        using var dir = new TempDirectory();
        string csv = TinyCsv.Images(dir.Path, side: 28);

        var (code, _, stderr) = await Run("prune", "--model", Import.ImportTestSupport.ModelPath("cnn_bn.onnx"), "--data", $"csv:{csv}", "--out", dir.File("out"));

        Assert.Equal(2, code);
        Assert.Contains("--model 'cnn_bn.onnx' has 10 outputs but the binary task of --data needs 1; give --task multiclass", stderr);
        Assert.DoesNotContain("epoch", stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}

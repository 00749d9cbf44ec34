using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>prune --granularity channel</c>: the report names the criterion, model.onnx is compacted (inspect shows
/// the smaller shapes, the figures fewer MACs), for a built-in and for an imported model; an imported model without a
/// channel group to prune is refused before anything runs.</summary>
public sealed class ChannelGranularityTests
{
    [Fact]
    public async Task ChannelPruning_WritesACompactedModel_WithFewerMacs()
    {
        using var dir = new TempDirectory();
        string csv = TinyCsv.Images(dir.Path, side: 28);
        var (code, stdout, stderr) = await Run("prune", "--data", $"csv:{csv}", "--input-shape", "1,28,28", "--arch", "lenet5", "--granularity", "channel", "--rounds", "1", "--rate", "0.5", "--epochs", "1",
            "--pretrain-epochs", "1", "--out", dir.File("out"), "--measure-runs", "2", "--measure-seconds", "0.01");

        Assert.True(code == 0, stderr);
        Assert.Contains("(channel-l1)", stderr);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("out"), "report.json"))).RootElement;
        Assert.Equal("channel-l1", report.GetProperty("criterion").GetString());
        var deployment = report.GetProperty("deployment");
        // Half of every hidden layer's channels: about a quarter of the multiply-accumulates stay (conv1 and fc3 keep more).
        Assert.InRange(deployment.GetProperty("macsRatio").GetDouble(), 0.2, 0.4);

        var (inspectCode, inspected, inspectError) = await Run("inspect", Path.Combine(dir.File("out"), "model.onnx"));
        Assert.True(inspectCode == 0, inspectError);
        Assert.Contains("conv1.weight *", inspected);
        Assert.Matches(@"conv1\.weight \*\s+\[3, 1, 5, 5\]", inspected);
        Assert.Matches(@"conv2\.weight \*\s+\[8, 3, 5, 5\]", inspected);
        Assert.Matches(@"fc3\.weight \*\s+\[\d+, 42\]", inspected);
    }

    [Fact]
    public async Task CompactOff_KeepsTheShapes()
    {
        using var dir = new TempDirectory();
        string csv = TinyCsv.Images(dir.Path, side: 28);
        var (code, _, stderr) = await Run("prune", "--data", $"csv:{csv}", "--input-shape", "1,28,28", "--arch", "lenet5", "--granularity", "channel", "--compact", "off", "--rounds", "1", "--rate", "0.5",
            "--epochs", "1", "--pretrain-epochs", "1", "--out", dir.File("out"), "--measure-runs", "0");

        Assert.True(code == 0, stderr);
        var (_, inspected, _) = await Run("inspect", Path.Combine(dir.File("out"), "model.onnx"));
        Assert.Matches(@"conv1\.weight \*\s+\[6, 1, 5, 5\]", inspected);
    }

    [Fact]
    public async Task AnImportedModel_IsChannelPruned_AndWrittenCompacted_InspectShowsTheNewShapes()
    {
        using var dir = new TempDirectory();
        string csv = TinyCsv.Images(dir.Path, side: 28);
        var (code, _, stderr) = await Run("prune", "--model", Import.ImportTestSupport.ModelPath("cnn_bn.onnx"), "--data", $"csv:{csv}", "--task", "multiclass", "--granularity", "channel",
            "--method", "imp", "--rounds", "1", "--rate", "0.5", "--epochs", "1", "--out", dir.File("out"), "--measure-runs", "2", "--measure-seconds", "0.01");

        Assert.True(code == 0, stderr);
        Assert.Contains("(channel-l1)", stderr);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("out"), "report.json"))).RootElement;
        Assert.Equal("channel-l1", report.GetProperty("criterion").GetString());
        // conv1, conv2 and fc1 lose half their channels: about a quarter of the multiply-accumulates stay.
        Assert.InRange(report.GetProperty("deployment").GetProperty("macsRatio").GetDouble(), 0.2, 0.4);

        var (inspectCode, inspected, inspectError) = await Run("inspect", Path.Combine(dir.File("out"), "model.onnx"));
        Assert.True(inspectCode == 0, inspectError);
        Assert.Matches(@"conv1\.weight \*\s+\[4, 1, 3, 3\]", inspected);
        Assert.Matches(@"conv2\.weight \*\s+\[8, 4, 3, 3\]", inspected);
        Assert.Matches(@"fc1\.weight \*\s+\[32, 392\]", inspected);
        Assert.Matches(@"fc2\.weight \*\s+\[10, 32\]", inspected);
    }

    [Fact]
    public async Task AnImportedModelWithoutAPrunableChannelGroup_IsRefusedBeforeTraining()
    {
        using var dir = new TempDirectory();
        var g = new Import.TestGraph(13, new long[] { 784 });
        File.WriteAllBytes(dir.File("linear.onnx"), g.Build(g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 784 }) }, Import.TestGraph.Int("transB", 1))));
        var (code, _, stderr) = await Run("prune", "--model", dir.File("linear.onnx"), "--granularity", "channel", "--out", dir.File("out"));

        Assert.Equal(2, code);
        Assert.Contains("--granularity channel: --model 'linear.onnx' has no channel group that channel pruning can shrink", stderr);
        Assert.Contains("prune it with --granularity weight", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir.File("out")));
    }
}

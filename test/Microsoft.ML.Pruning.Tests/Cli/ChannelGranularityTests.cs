using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>prune --granularity channel</c>: the report names the criterion, model.onnx is compacted (inspect shows
/// the smaller shapes, the figures fewer MACs), and an imported model is refused before anything runs.</summary>
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
    public async Task AnImportedModel_IsRefusedWithChannelGranularity()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await Run("prune", "--model", Import.ImportTestSupport.ModelPath("mlp.onnx"), "--granularity", "channel", "--out", dir.Path);

        Assert.Equal(2, code);
        Assert.Contains("--granularity channel needs a built-in architecture (--arch)", stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

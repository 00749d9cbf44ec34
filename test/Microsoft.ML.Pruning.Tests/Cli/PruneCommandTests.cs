using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

public sealed class PruneCommandTests
{
    [Fact]
    public async Task TheDefaultMethodIsIcpAndItsSummarySaysHowEachRoundEnded()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--arch", "mlp:32", "--rounds", "2", "--epochs", "2", "--pretrain-epochs", "2", "--measure-runs", "0", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json"))).RootElement;
        Assert.Equal("icp-if", report.GetProperty("method").GetString());
        Assert.StartsWith("icp(information", report.GetProperty("stopping").GetProperty("name").GetString());
        Assert.Equal(0.11, report.GetProperty("stopping").GetProperty("epsilon").GetDouble());
        var reasons = report.GetProperty("rounds").EnumerateArray().Select(r => r.GetProperty("stopReason").GetString()).ToList();
        Assert.Contains("retraining ", stdout);
        foreach (var reason in reasons.Distinct())
        {
            Assert.Contains($"{reason} x{reasons.Count(r => r == reason)}", stdout);
        }
    }

    [Fact]
    public async Task PrunesSyntheticDigitsAndWritesTheReports()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--arch", "mlp:32", "--method", "lth", "--rounds", "2", "--epochs", "1", "--pretrain-epochs", "2", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("sparsity", stdout);
        Assert.DoesNotContain("retraining", stdout); // fixed-length rounds: nothing to summarise
        var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json"))).RootElement;
        Assert.Equal("lth", report.GetProperty("method").GetString());
        Assert.Equal(2, report.GetProperty("rounds").GetArrayLength());
        Assert.Equal(2 + 2, report.GetProperty("totalEpochs").GetInt32());
        Assert.True(report.GetProperty("dense").GetProperty("testAccuracy").GetDouble() > 0.5);
        Assert.True(File.Exists(dir.File("report.md")));
        // lth measures no flows: two charts, both linked from report.md.
        Reporting.PngFile.AssertValid(dir.File(Microsoft.ML.Pruning.Reporting.ReportWriter.AccuracyVsSparsityFile), 800, 500);
        Reporting.PngFile.AssertValid(dir.File(Microsoft.ML.Pruning.Reporting.ReportWriter.EpochsPerRoundFile), 800, 500);
        Reporting.ReportChartsTests.AssertLinksResolve(dir, "report.md", 2);
        Assert.True(File.Exists(dir.File("checkpoint.bin")));
        Assert.True(File.Exists(dir.File("model.onnx")));
        Assert.Equal(new FileInfo(dir.File("model.onnx")).Length, report.GetProperty("onnx").GetProperty("bytes").GetInt64());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        // Deployment figures by default: model.onnx against the same network unpruned, exported dense.
        var deployment = report.GetProperty("deployment");
        var model = deployment.GetProperty("model");
        var dense = deployment.GetProperty("baseline");
        Assert.Equal("model.onnx", model.GetProperty("name").GetString());
        Assert.Equal(new FileInfo(dir.File("model.onnx")).Length, model.GetProperty("fileBytes").GetInt64());
        Assert.Equal(784 * 32 + 32 * 10, dense.GetProperty("macs").GetInt64());
        Assert.Equal(dense.GetProperty("macs").GetInt64(), dense.GetProperty("effectiveMacs").GetInt64());
        Assert.Equal(dense.GetProperty("macs").GetInt64(), model.GetProperty("macs").GetInt64());
        Assert.Equal(1 - report.GetProperty("final").GetProperty("sparsity").GetDouble(), deployment.GetProperty("effectiveMacsRatio").GetDouble(), 3);
        Assert.Equal(new[] { 1, 64 }, deployment.GetProperty("latencyRatios").EnumerateArray().Select(r => r.GetProperty("batch").GetInt32()));
        Assert.Contains("## Deployment", File.ReadAllText(dir.File("report.md")));
        Assert.Contains("deployment against the dense counterpart", stdout);
        var read = Microsoft.ML.Pruning.Pruning.PruningReport.FromJson(File.ReadAllText(dir.File("report.json")));
        Assert.Equal(model.GetProperty("macs").GetInt64(), read.Deployment!.Model.Macs);
        Assert.Equal(File.ReadAllText(dir.File("report.json")), read.ToJson()); // the figures survive a JSON round trip
    }

    [Fact]
    public async Task JsonFormatPrintsTheReportOnly()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--arch", "mlp:16", "--rounds", "0", "--pretrain-epochs", "1", "--format", "json", "--out", dir.Path,
            "--measure-runs", "0");

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.False(report.TryGetProperty("deployment", out _)); // --measure-runs 0: not measured
        Assert.Equal("dense", report.GetProperty("method").GetString());
        Assert.Equal(0, report.GetProperty("rounds").GetArrayLength());
        Assert.Equal(1, report.GetProperty("dense").GetProperty("epochs").GetInt32());
    }

    [MnistFact]
    public async Task SplitsOneIdxFilePairByIndex()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await Run("prune", "--data", $"idx:{RepositoryPaths.MnistImages},{RepositoryPaths.MnistLabels}",
            "--split", "0.7,0.1,0.2", "--arch", "mlp:16", "--rounds", "0", "--pretrain-epochs", "1", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("7000 train, 1000 validation, 2000 test rows", stderr);
    }

    [Theory]
    [InlineData("unknown option", "prune", "--no-such-option")]
    [InlineData("bad data spec", "prune", "--data", "nonsense:thing")]
    [InlineData("missing file", "prune", "--data", "idx:/nonexistent/images.gz,/nonexistent/labels.gz")]
    [InlineData("bad architecture", "prune", "--arch", "lenet9000")]
    [InlineData("bad rate", "prune", "--rate", "1.5")]
    [InlineData("bad method", "prune", "--method", "magic")]
    [InlineData("bad split", "prune", "--split", "0.5,0.5")]
    [InlineData("bad format", "prune", "--format", "xml")]
    [InlineData("conv net on a csv without shape", "prune", "--arch", "lenet5", "--data", "csv:/nonexistent.csv")]
    [InlineData("negative measuring runs", "prune", "--measure-runs", "-1")]
    [InlineData("bad measuring batch sizes", "prune", "--measure-batches", "64,0")]
    public async Task BadUsageExitsWithTwoAndOneLine(string why, params string[] args)
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await Run(args.Concat(new[] { "--out", dir.Path }).ToArray());

        Assert.True(code == 2, $"{why}: exit {code}, stderr: {stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("mlnet-prune: ", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task ResumeContinuesWhereTheCheckpointLeftOff()
    {
        using var dir = new TempDirectory();
        string[] common = { "prune", "--arch", "mlp:24", "--epochs", "1", "--pretrain-epochs", "1", "--out", dir.Path, "--format", "json" };
        var full = await Run(common.Concat(new[] { "--rounds", "3" }).ToArray());
        using var dir2 = new TempDirectory();
        string[] common2 = common.Select(a => a == dir.Path ? dir2.Path : a).ToArray();
        var first = await Run(common2.Concat(new[] { "--rounds", "1" }).ToArray());
        var resumed = await Run(common2.Concat(new[] { "--rounds", "3", "--resume" }).ToArray());

        Assert.Equal(0, full.Code);
        Assert.Equal(0, first.Code);
        Assert.Equal(0, resumed.Code);
        double Final(string json) => JsonDocument.Parse(json).RootElement.GetProperty("final").GetProperty("testAccuracy").GetDouble();
        double Sparsity(string json) => JsonDocument.Parse(json).RootElement.GetProperty("final").GetProperty("sparsity").GetDouble();
        Assert.Equal(Final(full.Out), Final(resumed.Out));
        Assert.Equal(Sparsity(full.Out), Sparsity(resumed.Out));
    }
}

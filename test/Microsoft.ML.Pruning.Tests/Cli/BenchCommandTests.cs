using System.Text.Json;
using Microsoft.ML.Pruning.Cli;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task ComparesMethodsOverSeedsAndWritesJsonAndMarkdown()
    {
        using var dir = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApplication.RunAsync(new[]
        {
            "bench", "--methods", "lth,icp-if", "--seeds", "2", "--arch", "mlp:24", "--rounds", "2", "--epochs", "2", "--pretrain-epochs", "1", "--out", dir.Path,
            "--measure-runs", "2", "--measure-seconds", "0",
        }, output, error);

        Assert.True(code == 0, error.ToString());
        var bench = JsonDocument.Parse(File.ReadAllText(dir.File("bench.json"))).RootElement;
        var methods = bench.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(new[] { "lth", "icp-if" }, methods.Select(m => m.GetProperty("method").GetString()));
        Assert.All(methods, m => Assert.Equal(2, m.GetProperty("runs").GetInt32()));
        Assert.Equal(4, bench.GetProperty("runs").GetArrayLength());
        // LTH retrains exactly --epochs per round; ICP at most that.
        Assert.Equal(4.0, methods[0].GetProperty("retrainingEpochs").GetDouble());
        Assert.True(methods[1].GetProperty("retrainingEpochs").GetDouble() <= 4.0);
        Assert.Contains("| icp-if |", File.ReadAllText(dir.File("bench.md")));

        // Every run's model measured against the same dense counterpart: same shapes, fewer non-zero weights.
        foreach (var run in bench.GetProperty("runs").EnumerateArray())
        {
            var deployment = run.GetProperty("deployment");
            Assert.Equal("dense counterpart", deployment.GetProperty("baseline").GetProperty("name").GetString());
            Assert.Equal(1.0, deployment.GetProperty("macsRatio").GetDouble());
            Assert.Equal(1 - run.GetProperty("final").GetProperty("sparsity").GetDouble(), deployment.GetProperty("effectiveMacsRatio").GetDouble(), 2);
            Assert.Equal(new[] { 1, 64 }, deployment.GetProperty("latencyRatios").EnumerateArray().Select(r => r.GetProperty("batch").GetInt32()));
        }

        Assert.Contains("Deployment against the dense counterpart", File.ReadAllText(dir.File("bench.md")));
        Assert.Contains("deployment against the dense counterpart", output.ToString());
        foreach (var chart in Reporting.ReportChartsTests.ComparisonCharts)
        {
            Reporting.PngFile.AssertValid(dir.File(chart), 800, 500);
        }

        Reporting.ReportChartsTests.AssertLinksResolve(dir, "bench.md", 4);
    }

    [Fact]
    public async Task AnUnknownMethodFailsBeforeAnyTraining()
    {
        using var dir = new TempDirectory();
        var error = new StringWriter();
        int code = await CliApplication.RunAsync(new[] { "bench", "--methods", "lth,nope", "--out", dir.Path }, new StringWriter(), error);

        Assert.Equal(2, code);
        Assert.Contains("nope", error.ToString());
        Assert.False(File.Exists(dir.File("bench.json")));
    }
}

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

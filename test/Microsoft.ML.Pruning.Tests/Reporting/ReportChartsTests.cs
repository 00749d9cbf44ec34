using System.Text.RegularExpressions;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Reporting;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Reporting;

/// <summary>Charts of reports and comparisons: valid PNGs of the asked size, written next to the Markdown that links them.</summary>
public sealed class ReportChartsTests
{
    internal static PruningReport Report(bool withFlows) => new()
    {
        Method = withFlows ? "icp-if" : "lth",
        Architecture = "mlp:16",
        Data = "synthetic-digits",
        Seed = 1,
        Dense = new DenseResult { ValMetric = 0.91, TestMetric = 0.9, Epochs = 2, WallSeconds = 1 },
        Rounds = Enumerable.Range(1, 3).Select(i => new RoundResult
        {
            Round = i,
            Sparsity = 1 - Math.Pow(0.8, i),
            Epochs = withFlows ? i + 1 : 2,
            StopReason = withFlows ? "flow-consistent" : "fixed-epochs",
            ValMetric = 0.92 - 0.01 * i,
            TestMetric = 0.91 - 0.01 * i,
            FlowDistance = withFlows ? 0.1 : null,
            Checks = Enumerable.Range(0, i + 1).Select(e => new RoundCheck(100 * (e + 1), 0.5 * (e + 1), 0.9, 0.3, withFlows ? 0.3 / (e + 1) : null)).ToList(),
        }).ToList(),
        Final = new FinalResult { Sparsity = 0.488, ValMetric = 0.89, TestMetric = 0.88 },
        TotalEpochs = withFlows ? 11 : 8,
    };

    [Theory]
    [InlineData(800, 500)]
    [InlineData(640, 400)]
    public void ChartsAreValidPngsOfTheAskedSize(int width, int height)
    {
        var report = Report(withFlows: true);
        PngFile.AssertValid(ReportCharts.AccuracyVsSparsity(report, width, height)!, width, height);
        PngFile.AssertValid(ReportCharts.EpochsPerRound(report, width, height)!, width, height);
        PngFile.AssertValid(ReportCharts.FlowDistance(report, 0.11, width, height)!, width, height);
    }

    [Fact]
    public void NoRoundsOrNoFlowsMeanNoChart()
    {
        var dense = Report(withFlows: false) with { Rounds = Array.Empty<RoundResult>() };
        Assert.Null(ReportCharts.AccuracyVsSparsity(dense));
        Assert.Null(ReportCharts.EpochsPerRound(dense));
        Assert.Null(ReportCharts.FlowDistance(Report(withFlows: false)));
    }

    [Fact]
    public void SaveWritesTheChartsAndMarkdownLinksToThem()
    {
        using var dir = new TempDirectory();

        var written = ReportWriter.Save(Report(withFlows: true), dir.Path, epsilon: 0.11);

        Assert.Equal(3, written.Count);
        foreach (var file in new[] { ReportWriter.AccuracyVsSparsityFile, ReportWriter.EpochsPerRoundFile, ReportWriter.FlowDistanceFile })
        {
            PngFile.AssertValid(dir.File(file), ReportCharts.DefaultWidth, ReportCharts.DefaultHeight);
        }

        AssertLinksResolve(dir, "report.md", 3);
        Assert.True(File.Exists(dir.File("report.json")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void SaveWithoutFlowsSkipsTheFlowChartAndRemovesAStaleOne()
    {
        using var dir = new TempDirectory();
        ReportWriter.Save(Report(withFlows: true), dir.Path);

        ReportWriter.Save(Report(withFlows: false), dir.Path);

        Assert.False(File.Exists(dir.File(ReportWriter.FlowDistanceFile)));
        PngFile.AssertValid(dir.File(ReportWriter.AccuracyVsSparsityFile), 800, 500);
        PngFile.AssertValid(dir.File(ReportWriter.EpochsPerRoundFile), 800, 500);
        AssertLinksResolve(dir, "report.md", 2);
    }

    [Fact]
    public void ComparisonChartIsWrittenNextToBenchMarkdown()
    {
        using var dir = new TempDirectory();
        var runs = new[] { Report(true), Report(true) with { Seed = 2, TotalEpochs = 9 }, Report(false), Report(false) with { Seed = 2 } };
        var comparison = new MethodComparison { Architecture = "mlp:16", Data = "synthetic-digits", Seeds = new long[] { 1, 2 }, Runs = runs };

        ReportWriter.Save(comparison, dir.Path);

        foreach (var chart in ComparisonCharts)
        {
            PngFile.AssertValid(dir.File(chart), 800, 500);
        }

        AssertLinksResolve(dir, "bench.md", 4);
    }

    /// <summary>The charts a comparison writes: accuracy against cost, and the three per-round panels of the ICP paper.</summary>
    internal static string[] ComparisonCharts { get; } =
    {
        ReportWriter.AccuracyVsEpochsFile, ReportWriter.MetricPerRoundFile, ReportWriter.RetrainingPerRoundFile, ReportWriter.RemainingWeightsPerRoundFile,
    };

    internal static void AssertLinksResolve(TempDirectory dir, string markdown, int expected)
    {
        var links = Regex.Matches(File.ReadAllText(dir.File(markdown)), @"!\[[^\]]+\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(expected, links.Count);
        Assert.All(links, link =>
        {
            Assert.False(Path.IsPathRooted(link), link);
            Assert.True(File.Exists(Path.Combine(dir.Path, link)), $"{markdown} links to missing {link}");
        });
    }
}

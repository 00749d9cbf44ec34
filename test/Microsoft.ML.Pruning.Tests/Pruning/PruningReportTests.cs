using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>The report of a run: the <c>report.json</c> contract (ARCHITECTURE.md §5), a lossless JSON round trip, and Markdown with a row per round.</summary>
public sealed class PruningReportTests : IClassFixture<PruningReportTests.TwoRoundReport>
{
    private readonly PruningReport _report;

    public PruningReportTests(TwoRoundReport run)
    {
        TorchSharpNativeLoader.EnsureLoaded();
        _report = run.Report;
    }

    [Fact]
    public void JsonHoldsTheContractKeys()
    {
        using var json = JsonDocument.Parse(_report.ToJson());
        var root = json.RootElement;

        Assert.Equal("test", root.GetProperty("method").GetString());
        Assert.Equal("mlp:16", root.GetProperty("architecture").GetString());
        Assert.Equal(3, root.GetProperty("seed").GetInt64());
        var dense = root.GetProperty("dense");
        AssertFraction(dense.GetProperty("valAccuracy"));
        AssertFraction(dense.GetProperty("testAccuracy"));
        Assert.Equal(1, dense.GetProperty("epochs").GetInt32());

        var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(2, rounds.Count);
        for (int i = 0; i < rounds.Count; i++)
        {
            var r = rounds[i];
            Assert.Equal(i + 1, r.GetProperty("round").GetInt32());
            AssertFraction(r.GetProperty("sparsity"));
            var layers = r.GetProperty("layerSparsity").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.Equal(new[] { "fc1", "fc2" }, layers.Keys);
            Assert.Equal(2, r.GetProperty("epochs").GetInt32());
            Assert.Equal(StopReasons.FixedEpochs, r.GetProperty("stopReason").GetString());
            AssertFraction(r.GetProperty("valAccuracy"));
            AssertFraction(r.GetProperty("testAccuracy"));
            Assert.True(r.GetProperty("wallSeconds").GetDouble() > 0);
            Assert.Equal(0, r.GetProperty("flowSeconds").GetDouble());
        }

        Assert.True(rounds[1].GetProperty("sparsity").GetDouble() > rounds[0].GetProperty("sparsity").GetDouble());
        var final = root.GetProperty("final");
        Assert.Equal(rounds[1].GetProperty("sparsity").GetDouble(), final.GetProperty("sparsity").GetDouble());
        AssertFraction(final.GetProperty("valAccuracy"));
        AssertFraction(final.GetProperty("testAccuracy"));
        Assert.Equal(1 + 2 + 2, root.GetProperty("totalEpochs").GetInt32());
        Assert.True(root.GetProperty("totalWallSeconds").GetDouble() >= rounds.Sum(r => r.GetProperty("wallSeconds").GetDouble()));
    }

    [Fact]
    public void JsonRoundTripsLosslessly()
    {
        string json = _report.ToJson();

        var back = PruningReport.FromJson(json);

        Assert.Equal(json, back.ToJson());
        Assert.Equal(_report.Dense!.Losses, back.Dense!.Losses);
        Assert.Equal(_report.Dense with { Losses = back.Dense.Losses }, back.Dense);
        Assert.Equal(_report.Final, back.Final);
        Assert.Equal(_report.Rounds[1].LayerSparsity, back.Rounds[1].LayerSparsity);
        Assert.Equal(_report.Rounds[1].ValAccuracy, back.Rounds[1].ValAccuracy);
    }

    [Fact]
    public void TextThatIsNoReportIsRefused()
    {
        Assert.Throws<InvalidDataException>(() => PruningReport.FromJson("{ \"rounds\": 7 }"));
        Assert.Throws<InvalidDataException>(() => PruningReport.FromJson("null"));
    }

    [Fact]
    public void MarkdownHasARowPerRound()
    {
        string md = _report.ToMarkdown();

        var rows = md.Split('\n').Where(line => Regex.IsMatch(line, @"^\| \d+ \|")).ToList();
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("| 1 |", rows[0]);
        Assert.StartsWith("| 2 |", rows[1]);
        Assert.All(rows, row => Assert.Contains(StopReasons.FixedEpochs, row));
        Assert.Contains("| fc1 |", md);
    }

    [Fact]
    public void SaveWritesJsonAndMarkdown()
    {
        using var dir = new TempDirectory();

        Microsoft.ML.Pruning.Reporting.ReportWriter.Save(_report, dir.Path);

        Assert.Equal(_report.ToJson(), File.ReadAllText(dir.File("report.json")));
        Assert.StartsWith(_report.ToMarkdown(), File.ReadAllText(dir.File("report.md")));
    }

    private static void AssertFraction(JsonElement value)
    {
        double v = value.GetDouble();
        Assert.InRange(v, 0, 1);
    }

    /// <summary>One run of 1 dense epoch and 2 rounds of 2 epochs, shared by the tests.</summary>
    public sealed class TwoRoundReport
    {
        public TwoRoundReport()
        {
            using var result = Run(FastOptions() with { Stopping = StoppingPolicy.FixedEpochs(2) });
            Report = result.Report;
        }

        public PruningReport Report { get; }
    }
}

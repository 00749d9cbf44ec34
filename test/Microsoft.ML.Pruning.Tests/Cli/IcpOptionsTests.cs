using System.Text.Json;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>The paper's methods and the ICP options on the command line: --pq, name(p,q), --check-every, --protocol reference.</summary>
public sealed class IcpOptionsTests
{
    [Fact]
    public async Task PqOrdersAndCheckIntervalReachTheReport()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--arch", "mlp:16", "--method", "icp-gf-sap", "--pq", "0.5,1", "--check-every", "0.5",
            "--rounds", "2", "--epochs", "2", "--pretrain-epochs", "1", "--measure-runs", "0", "--format", "json", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("icp-gf-sap", report.GetProperty("method").GetString());
        var stopping = report.GetProperty("stopping");
        Assert.Contains("gradient", stopping.GetProperty("name").GetString());
        Assert.Contains("surviving-weights", stopping.GetProperty("name").GetString());
        double denseMetric = report.GetProperty("dense").GetProperty("valMetric").GetDouble();
        Assert.Equal(Microsoft.ML.Pruning.Stopping.IcpStoppingPolicy.DefaultGradientEpsilon, stopping.GetProperty("epsilon").GetDouble());
        Assert.Equal(0.5, stopping.GetProperty("checkEvery").GetDouble());
        Assert.All(report.GetProperty("rounds").EnumerateArray(), r =>
        {
            // Every check is half an epoch (4200 rows) after the last, and records the flow distance unless the accuracy
            // cap stopped the round first or the metric was too far below the dense one for the flow to decide.
            var checks = r.GetProperty("checks").EnumerateArray().ToList();
            Assert.Equal(Enumerable.Range(1, checks.Count).Select(i => 4200L * i), checks.Select(c => c.GetProperty("samples").GetInt64()));
            for (int i = 0; i < checks.Count; i++)
            {
                bool measured = checks[i].GetProperty("flowDistance").ValueKind != JsonValueKind.Null;
                bool farBelow = checks[i].GetProperty("valMetric").GetDouble() < denseMetric - Microsoft.ML.Pruning.Stopping.IcpStoppingPolicy.DefaultFlowStopTolerance;
                bool recoveredHere = i == checks.Count - 1 && r.GetProperty("stopReason").GetString() == "accuracy-recovered";
                Assert.Equal(!farBelow && !recoveredHere, measured);
            }

            Assert.Equal(checks[^1].GetProperty("samples").GetInt64(), r.GetProperty("samples").GetInt64());
        });
    }

    [Fact]
    public async Task TheReferenceProtocolTrainsWithPlainSgdOnBatchesOf64AndDecidesEveryTwoEpochs()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await Run("prune", "--arch", "mlp:16", "--method", "icp-if-sap(0.5,1)", "--protocol", "reference",
            "--rounds", "1", "--epochs", "2", "--pretrain-epochs", "1", "--measure-runs", "0", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("SGD(lr=0.01, momentum=0", stderr);
        Assert.Contains("batch 64", stderr);
        var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json"))).RootElement;
        Assert.Equal("icp-if-sap(0.5,1)", report.GetProperty("method").GetString());
        Assert.Equal(2, report.GetProperty("stopping").GetProperty("checkEvery").GetDouble());
    }

    [Fact]
    public async Task TheReferenceProtocolMeasuresGradientFlowOverAllWeightsAsTheReferenceCodeDoes()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run("prune", "--arch", "mlp:16", "--method", "icp-gf", "--protocol", "reference",
            "--rounds", "1", "--epochs", "2", "--pretrain-epochs", "1", "--measure-runs", "0", "--format", "json", "--out", dir.Path);

        Assert.True(code == 0, stderr);
        string name = JsonDocument.Parse(stdout).RootElement.GetProperty("stopping").GetProperty("name").GetString()!;
        Assert.Contains("gradient", name);
        Assert.DoesNotContain("surviving-weights", name);
    }

    [Theory]
    [InlineData("--pq", "2,1", "--pq '2,1' is not valid")]
    [InlineData("--pq", "a,b", "--pq 'a,b' is not valid")]
    [InlineData("--check-every", "0", "--check-every must be a positive number of epochs (got 0)")]
    [InlineData("--method", "sap(1)", "Method 'sap(1)' is not valid")]
    [InlineData("--method", "sap(1,0.5)", "the PQ-index orders need 0 < p < q")]
    [InlineData("--protocol", "paper", "'paper' not recogni")]
    public async Task BadIcpOptionsExitTwoWithOneLine(string option, string value, string message)
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await Run("prune", "--arch", "mlp:16", "--method", option == "--method" ? value : "icp-if-sap", option == "--method" ? "--rounds" : option,
            option == "--method" ? "1" : value, "--out", dir.Path);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void PaperStandsForTheSevenMethodsOfTheIcpPaper()
    {
        var methods = Microsoft.ML.Pruning.Cli.Commands.MethodSpec.SplitList("paper");

        Assert.Equal(new[] { "lth", "sap(1,2)", "sap(0.5,1)", "icp-if-sap(1,2)", "icp-if-sap(0.5,1)", "icp-gf-sap(1,2)", "icp-gf-sap(0.5,1)" }, methods);
        Assert.Equal(new[] { "imp-ar", "sap(0.5,1)", "icp-if" }, Microsoft.ML.Pruning.Cli.Commands.MethodSpec.SplitList("imp-ar, sap(0.5,1),icp-if"));
    }
}

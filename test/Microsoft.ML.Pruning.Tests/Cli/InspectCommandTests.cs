using System.Text.Json;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Tests.Networks;
using Microsoft.ML.Pruning.Tests.Onnx;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary><c>mlnet-prune inspect</c> and <see cref="OnnxModelInfo"/>: the figures of a model exported at a known sparsity.</summary>
public sealed class InspectCommandTests
{
    public InspectCommandTests() => NetworkTestCases.EnsureTorch();

    /// <summary>LeNet-300-100 pruned 90% per layer, saved with the given storage; returns the per-layer non-zeros.</summary>
    private static Dictionary<string, (long Elements, long NonZeros)> Export(string path, OnnxStorage storage)
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4);
        OnnxTestSupport.Prune(network, 0.9);
        OnnxExporter.Save(network, path, new OnnxExportOptions
        {
            Storage = storage,
            Metadata = new Dictionary<string, string> { [OnnxMetadataKeys.Method] = "lth", ["custom.key"] = "value" },
        });
        return network.PrunableLayers.ToDictionary(l => l.Name + ".weight", l => (l.Weight.numel(), l.Weight.count_nonzero().item<long>()));
    }

    [Theory]
    [InlineData(OnnxStorage.Dense)]
    [InlineData(OnnxStorage.Sparse)]
    public async Task JsonReportsEachLayerAndTheTotals(OnnxStorage storage)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        var expected = Export(path, storage);

        var (code, stdout, stderr) = await Run("inspect", path, "--format", "json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(new FileInfo(path).Length, root.GetProperty("fileBytes").GetInt64());
        Assert.Equal(OnnxExporter.IrVersion, root.GetProperty("irVersion").GetInt64());
        Assert.Equal(OnnxExporter.OpsetVersion, root.GetProperty("opsets").GetProperty("ai.onnx").GetInt64());
        var input = root.GetProperty("inputs").EnumerateArray().Single();
        Assert.Equal(OnnxExporter.InputName, input.GetProperty("name").GetString());
        Assert.Equal("float", input.GetProperty("elementType").GetString());
        Assert.Equal("784", input.GetProperty("shape")[1].GetString());
        Assert.Equal(new[] { OnnxExporter.ScoreName, OnnxExporter.PredictedLabelName }, root.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("lth", root.GetProperty("metadata").GetProperty(OnnxMetadataKeys.Method).GetString());
        Assert.Equal("value", root.GetProperty("metadata").GetProperty("custom.key").GetString());

        var initializers = root.GetProperty("initializers").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        foreach (var (name, (elements, nonZeros)) in expected)
        {
            var layer = initializers[name];
            Assert.Equal(elements, layer.GetProperty("elementCount").GetInt64());
            Assert.Equal(nonZeros, layer.GetProperty("nonZeros").GetInt64());
            Assert.Equal(storage == OnnxStorage.Sparse, layer.GetProperty("sparse").GetBoolean());
            Assert.True(layer.GetProperty("isPrunableWeight").GetBoolean());
            Assert.InRange(layer.GetProperty("sparsity").GetDouble(), 0.89, 0.91);
            long dataBytes = storage == OnnxStorage.Sparse ? nonZeros * 12 : elements * 4;
            Assert.InRange(layer.GetProperty("bytes").GetInt64(), dataBytes, dataBytes + 64); // data plus a few header bytes
        }

        var bias = initializers["fc1.bias"];
        Assert.False(bias.GetProperty("isPrunableWeight").GetBoolean());
        Assert.False(bias.GetProperty("sparse").GetBoolean());
        long total = expected.Values.Sum(v => v.Elements);
        Assert.Equal(266_200, total);
        Assert.Equal(total, root.GetProperty("prunableWeightCount").GetInt64());
        Assert.Equal(expected.Values.Sum(v => v.NonZeros), root.GetProperty("prunableNonZeros").GetInt64());
        Assert.Equal(1 - (double)expected.Values.Sum(v => v.NonZeros) / total, root.GetProperty("sparsity").GetDouble(), 9);
    }

    [Fact]
    public async Task TextShowsTheTableTotalsAndMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        Export(path, OnnxStorage.Auto);
        var info = OnnxModelInfo.Read(path);

        var (code, stdout, stderr) = await Run("inspect", path);

        Assert.True(code == 0, stderr);
        Assert.Contains("tensor", stdout);
        Assert.Contains("fc1.weight *", stdout);
        Assert.Contains("sparse", stdout);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sparsity {info.Sparsity:P2}"), stdout);
        Assert.Contains("Features: float [", stdout);
        Assert.Contains("custom.key = value", stdout);
        Assert.Contains("ai.onnx 17", stdout);
    }

    [Fact]
    public async Task Measure_Json_AddsTheDeploymentFigures_AgainstTheBaseline()
    {
        using var dir = new TempDirectory();
        string pruned = dir.File("pruned.onnx");
        string dense = dir.File("dense.onnx");
        Export(pruned, OnnxStorage.Sparse);
        using (var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4))
        {
            OnnxExporter.Save(network, dense);
        }

        var (code, stdout, stderr) = await Run("inspect", pruned, "--baseline", dense, "--format", "json",
            "--measure-runs", "3", "--measure-seconds", "0", "--measure-batches", "1,8");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(new FileInfo(pruned).Length, root.GetProperty("fileBytes").GetInt64()); // inspect's own figures stay
        var deployment = root.GetProperty("deployment");
        var model = deployment.GetProperty("model");
        var baseline = deployment.GetProperty("baseline");
        Assert.Equal(pruned, model.GetProperty("name").GetString());
        Assert.Equal(dense, baseline.GetProperty("name").GetString());
        Assert.Equal(266_200, model.GetProperty("macs").GetInt64()); // 784·300 + 300·100 + 100·10
        Assert.Equal(2 * 266_200, model.GetProperty("flops").GetInt64());
        Assert.Equal(266_200, baseline.GetProperty("effectiveMacs").GetInt64());
        Assert.Equal(model.GetProperty("nonZeroWeights").GetInt64(), model.GetProperty("effectiveMacs").GetInt64()); // batch 1: one MAC per weight
        Assert.Equal(new[] { "fc1", "fc2", "fc3" }, model.GetProperty("operators").EnumerateArray().Select(o => o.GetProperty("node").GetString()));
        Assert.Equal(new[] { 1, 8 }, model.GetProperty("latency").EnumerateArray().Select(l => l.GetProperty("batch").GetInt32()));
        Assert.All(model.GetProperty("latency").EnumerateArray(), l => Assert.Equal(3, l.GetProperty("runs").GetInt32()));
        Assert.Equal(new[] { 3, 3 }, deployment.GetProperty("latencyRatios").EnumerateArray().Select(r => r.GetProperty("pairs").GetInt32()));
        Assert.Equal((double)new FileInfo(pruned).Length / new FileInfo(dense).Length, deployment.GetProperty("fileBytesRatio").GetDouble(), 12);
    }

    [Fact]
    public async Task Measure_Text_ShowsModelAndBaselineSideBySide_AndTheOperators()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        Export(path, OnnxStorage.Auto);

        var (code, stdout, stderr) = await Run("inspect", path, "--measure", "--baseline", path, "--measure-runs", "2", "--measure-seconds", "0");

        Assert.True(code == 0, stderr);
        Assert.Contains("deployment: ONNX Runtime", stdout);
        Assert.Contains("latency at batch 1, ms", stdout);
        Assert.Contains("latency at batch 64, ms", stdout);
        Assert.Contains("ratio", stdout);
        Assert.Matches(@"MACs per run at batch 1\s+266,200\s+266,200\s+1\.000", stdout);
        Assert.Matches(@"fc1\s+Gemm\s+\[1, 300\]\s+235,200", stdout);
    }

    [Theory]
    [InlineData("--measure-runs", "0")]
    [InlineData("--measure-batches", "1,x")]
    [InlineData("--measure-batches", "0")]
    [InlineData("--measure-seconds", "-1")]
    [InlineData("--measure-threads", "-2")]
    [InlineData("--baseline", "missing.onnx")]
    [InlineData("--baseline", "notes.txt")]
    public async Task Measure_BadOptionOrBaseline_ExitsWithTwoAndOneLineNamingIt(string option, string value)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        Export(path, OnnxStorage.Dense);
        File.WriteAllText(dir.File("notes.txt"), "words, not a model");
        if (option == "--baseline")
        {
            value = dir.File(value);
        }

        var (code, stdout, stderr) = await Run("inspect", path, "--measure", option, value);

        Assert.True(code == 2, $"{option} {value}: exit {code}, stderr: {stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(option == "--baseline" ? value : option, stderr);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("text")]
    [InlineData("empty")]
    [InlineData("folder")]
    public async Task BadFileExitsWithTwoAndOneLine(string kind)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.onnx");
        switch (kind)
        {
            case "text": File.WriteAllText(path, "this is not an onnx model, just words\n"); break;
            case "empty": File.WriteAllBytes(path, Array.Empty<byte>()); break;
            case "folder": Directory.CreateDirectory(path); break;
        }

        var (code, stdout, stderr) = await Run("inspect", path);

        Assert.True(code == 2, $"{kind}: exit {code}, stderr: {stderr}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("mlnet-prune: ", stderr);
        Assert.Empty(stdout);
    }
}

using System.Text.Json;

namespace Microsoft.ML.Pruning.Tests.Packaging;

/// <summary>
/// What a user gets from the packages: a fresh app referencing Microsoft.ML.Pruning from a feed prunes, evaluates,
/// saves ONNX and scores it with no manual step (the native shim fix included), and the tool installs and runs.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class PackageConsumerTests
{
    private const string Marker = "CONSUMER-APP-OK";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly PackageFeed _feed;

    public PackageConsumerTests(PackageFeed feed) => _feed = feed;

    internal const string ConsumerProgram = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using Microsoft.ML.OnnxRuntime;
        using Microsoft.ML.Pruning.Data;
        using Microsoft.ML.Pruning.MLNet;
        using Microsoft.ML.Pruning.Networks;
        //USINGS

        var data = SyntheticDigits.Generate(400, 1);
        var rows = Enumerable.Range(0, data.Count)
            .Select(i => new Row { Label = "d" + data.Labels[i], Features = data.Row(i).ToArray() })
            .ToList();
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.PruneIterative(new IterativePruningOptions
            {
                Architecture = NetworkArchitecture.Mlp(16),
                Rounds = 1,
                PretrainEpochs = 1,
                EpochsPerRound = 1,
            }))
            .Fit(view);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(view));
        string onnx = Path.Combine(AppContext.BaseDirectory, "pruned.onnx");
        model.LastTransformer.SaveOnnx(onnx);

        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(rows[0].Features, new long[] { 1, rows[0].Features.Length });
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { "Features" }, new[] { input }, new[] { "Score" });
        float sum = 0;
        foreach (var s in outputs[0].GetTensorDataAsSpan<float>()) { sum += s; }
        if (Math.Abs(sum - 1) > 1e-3) { throw new Exception($"ONNX scores sum to {sum}"); }
        Console.WriteLine($"{args[0]} accuracy={metrics.MicroAccuracy:F3} sparsity={model.LastTransformer.Report.Final!.Sparsity:F3} onnxBytes={new FileInfo(onnx).Length}");
        //EXTRA
        model.Dispose();

        public sealed class Row
        {
            public string Label { get; set; } = "";

            [VectorType(784)]
            public float[] Features { get; set; } = Array.Empty<float>();
        }
        """;

    /// <summary>Writes a console app referencing the packed library (plus any <paramref name="extraPackages"/>).</summary>
    internal static string WriteConsumerApp(PackageFeed feed, string name, string extraUsings = "", string extraCode = "", params (string Id, string Version)[] extraPackages)
    {
        string dir = Path.Combine(feed.Root, name);
        Directory.CreateDirectory(dir);
        string references = string.Concat(extraPackages.Select(p => $"""

                <PackageReference Include="{p.Id}" Version="{p.Version}" />
            """));
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML.Pruning" Version="{feed.Version}" />{references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram.Replace("//USINGS", extraUsings).Replace("//EXTRA", extraCode));
        feed.WriteNuGetConfig(dir, withNuGetOrg: true);
        return dir;
    }

    [Theory]
    [InlineData("Microsoft.ML.Pruning")]
    [InlineData("Microsoft.ML.Pruning.Cli")]
    public void ThePackageReadmeIsPackedAndLinksNowhereInsideTheRepository(string packageId)
    {
        if (packageId.EndsWith(".Cli", StringComparison.Ordinal))
        {
            _feed.PackTool();
        }
        else
        {
            _feed.PackLibrary();
        }

        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed.Feed, $"{packageId}.{_feed.Version}.nupkg"));
        string nuspec = Read(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)));
        Assert.Contains("<readme>README.md</readme>", nuspec);
        string readme = Read(package.GetEntry("README.md") ?? throw new Xunit.Sdk.XunitException($"{packageId} has no README.md"));

        Assert.Contains("PruneIterative", readme);
        Assert.Contains("mlnet-prune", readme);
        // A gallery shows the readme alone: a relative link (docs/..., README sections of the repository) would be dead.
        var relative = System.Text.RegularExpressions.Regex.Matches(readme, @"\]\((?!https?://)[^)]*\)").Select(m => m.Value).ToList();
        Assert.True(relative.Count == 0, $"relative links in {packageId}'s readme: {string.Join(", ", relative)}");

        static string Read(System.IO.Compression.ZipArchiveEntry entry)
        {
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd();
        }
    }

    [Fact]
    public void AFreshAppReferencingThePackagePrunesAndScoresOnnx()
    {
        _feed.PackLibrary();
        string app = WriteConsumerApp(_feed, "ConsumerApp");

        var run = ChildProcess.RunOk("dotnet", new[] { "run", "--", Marker }, app, RunTimeout);

        Assert.Contains(Marker + " accuracy=", run.Output);
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "pruned.onnx")), run.ToString());
    }

    /// <summary>
    /// Microsoft.ML.TorchSharp 0.23.1 asks for TorchSharp &gt;= 0.102.7, this package for &gt;= 0.107.0: NuGet must
    /// resolve one TorchSharp (0.107.0) with no downgrade (NU1605), and both libraries must load in one process.
    /// </summary>
    [Fact]
    public void AnAppThatAlsoReferencesMicrosoftMLTorchSharpGetsOneTorchSharpAndPrunes()
    {
        _feed.PackLibrary();
        string app = WriteConsumerApp(_feed, "CoexistingApp",
            extraUsings: "using Microsoft.ML.TorchSharp;",
            extraCode: """
                var textTrainer = ml.MulticlassClassification.Trainers.TextClassification(labelColumnName: "Label", sentence1ColumnName: "Sentence");
                Console.WriteLine("MLNET-TORCHSHARP " + textTrainer.GetType().Name + " on TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version);
                """,
            extraPackages: ("Microsoft.ML.TorchSharp", "0.23.1"));

        var run = ChildProcess.RunOk("dotnet", new[] { "run", "--", Marker }, app, RunTimeout);

        Assert.Contains(Marker + " accuracy=", run.Output);
        Assert.Contains("MLNET-TORCHSHARP TextClassificationTrainer on TorchSharp 0.107.0.0", run.Output);
        Assert.DoesNotContain("NU1605", run.Output);
        var libraries = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"))).RootElement
            .GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(new[] { "TorchSharp/0.107.0" }, libraries.Where(n => n.StartsWith("TorchSharp/", StringComparison.Ordinal)));
        Assert.Equal(new[] { "libtorch-cpu-linux-x64/2.10.0" }, libraries.Where(n => n.StartsWith("libtorch-", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheToolInstallsFromTheFeedAndPrunes()
    {
        _feed.PackTool();
        string tools = Path.Combine(_feed.Root, "tools");
        string work = Path.Combine(_feed.Root, "tool-work");
        string output = Path.Combine(_feed.Root, "tool-out");
        Directory.CreateDirectory(work);
        _feed.WriteNuGetConfig(work, withNuGetOrg: false);

        ChildProcess.RunOk("dotnet", new[] { "tool", "install", "--tool-path", tools, "--add-source", _feed.Feed, "Microsoft.ML.Pruning.Cli", "--version", _feed.Version }, work, RunTimeout);
        var run = ChildProcess.RunOk(Path.Combine(tools, "mlnet-prune"), new[]
        {
            "prune", "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--arch", "mlp:16", "--out", output,
        }, work, RunTimeout);

        Assert.True(File.Exists(Path.Combine(output, "model.onnx")), run.ToString());
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;
        Assert.Equal(1, report.GetProperty("rounds").GetArrayLength());
    }
}

using Microsoft.ML.Pruning.Tests.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using static Microsoft.ML.Pruning.Tests.Cli.CliRun;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>
/// Input that cannot give a meaningful run is refused before any training: exit code 2, one line that names the
/// option or file and what was expected (each value said once), and no --out folder created.
/// </summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("single-class csv", "holds a single class (0); a classifier needs at least two")]
    [InlineData("csv sorted by label", "the training rows hold only class 0 while the validation or test rows hold others")]
    [InlineData("idx label above 9", "label 12 of item 2 is outside 0..9")]
    [InlineData("csv label outside --classes", "label '2' is outside 0..1, the 2 declared classes")]
    [InlineData("repeated bench method", "--methods names 'lth' 2 times")]
    [InlineData("zero test part", "--split 0.5,0.5,0 leaves no test rows")]
    [InlineData("zero validation part", "--split 0.8,0,0.2 leaves no validation rows")]
    [InlineData("folder as csv file", "is a folder, not a file")]
    [InlineData("folder as idx file", "The IDX images file")]
    [InlineData("file as mnist folder", "is a file, not a folder")]
    [InlineData("conv net on csv without shape", "--arch lenet5 is convolutional and needs image rows, but the rows of")]
    [InlineData("input shape for non-csv data", "--input-shape applies to csv: data only")]
    [InlineData("input shape that does not fit", "image shape 1x5x5 needs 25")]
    [InlineData("out is a file", "is a file; give a folder for the outputs")]
    [InlineData("out below a file", "cannot be created:")]
    public async Task BadInputExitsTwoWithOneLineAndCreatesNoFolder(string name, string expected)
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");
        var args = Arguments(name, dir, outDir);

        var (code, stdout, stderr) = await Run(args);

        Assert.True(code == 2, $"{name}: exit {code}, stderr: {stderr}");
        AssertOneCleanLine(stderr);
        Assert.Contains(expected, stderr);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(outDir), $"{name}: --out was created");
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be positive (got 0).")]
    [InlineData("--rate", "0", "--rate must be in (0, 1), the fraction of surviving weights removed per round (got 0).")]
    [InlineData("--rate", "1.5", "(got 1.5).")]
    [InlineData("--batch-size", "0", "--batch-size must be positive (got 0).")]
    [InlineData("--lr", "0", "--lr must be a positive number (got 0).")]
    [InlineData("--lr", "-1e-3", "--lr must be a positive number (got -0.001).")]
    [InlineData("--rounds", "-1", "--rounds must be 0 or more (got -1).")]
    [InlineData("--pretrain-epochs", "-2", "--pretrain-epochs must be 0 or more (got -2).")]
    [InlineData("--epsilon", "0", "--epsilon must be a positive number (got 0).")]
    [InlineData("--classes", "1", "--classes must be at least 2 (got 1).")]
    public async Task NumericOptionsAreRefusedNamingTheOptionAndTheValueOnce(string option, string value, string expected)
    {
        using var dir = new TempDirectory();
        string outDir = dir.File("out");

        var (code, _, stderr) = await Run("prune", option, value, "--out", outDir);

        Assert.Equal(2, code);
        AssertOneCleanLine(stderr);
        Assert.Contains(expected, stderr);
        Assert.Equal(2, stderr.Split("(got ").Length); // the value is said once
        Assert.DoesNotContain("Actual value", stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task BenchRefusesNumericOptionsBeforeLoadingData()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = await Run("bench", "--seeds", "0", "--out", dir.File("out"));

        Assert.Equal(2, code);
        Assert.Contains("--seeds must be positive (got 0).", stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public async Task InspectOfAFolderSaysItIsAFolderAndNamesTheModelInside()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("model.onnx"), "not really");

        var (code, _, stderr) = await Run("inspect", dir.Path);

        Assert.Equal(2, code);
        AssertOneCleanLine(stderr);
        Assert.Contains($"{dir.Path} is a folder; give an ONNX file, e.g. {dir.File("model.onnx")}", stderr);
    }

    /// <summary>One line, prefixed, with no exception type, parameter name or stack trace.</summary>
    internal static void AssertOneCleanLine(string stderr)
    {
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("mlnet-prune: ", stderr);
        Assert.DoesNotContain("(Parameter", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static string[] Arguments(string name, TempDirectory dir, string outDir)
    {
        string Csv() => TinyCsv.Classes(dir.Path);
        string[] Prune(string data, params string[] more) =>
            new[] { "prune", "--data", data, "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--out", outDir }
                .Concat(more.Contains("--arch") ? more : more.Concat(new[] { "--arch", "mlp:8" })).ToArray();
        switch (name)
        {
            case "single-class csv":
                return Prune($"csv:{TinyCsv.Classes(dir.Path, classes: 1)}");
            case "csv sorted by label":
            {
                var lines = File.ReadAllLines(Csv()).OrderBy(l => l[0]).ToArray(); // 100 rows of each class, class 0 first
                File.WriteAllLines(dir.File("sorted.csv"), lines);
                return Prune($"csv:{dir.File("sorted.csv")}", "--split", "0.3,0.3,0.4");
            }

            case "idx label above 9":
                TestDataFiles.Write(dir.File("images"), TestDataFiles.IdxImages(20, 4, 4));
                TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(Enumerable.Range(0, 20).Select(i => (byte)(i == 2 ? 12 : i % 10)).ToArray()));
                return Prune($"idx:{dir.File("images")},{dir.File("labels")}");
            case "csv label outside --classes":
                return Prune($"csv:{Csv()}", "--classes", "2");
            case "repeated bench method":
                return new[] { "bench", "--data", $"csv:{Csv()}", "--methods", "lth,imp,LTH", "--out", outDir };
            case "zero test part":
                return Prune($"csv:{Csv()}", "--split", "0.5,0.5,0");
            case "zero validation part":
                return Prune($"csv:{Csv()}", "--split", "0.8,0,0.2");
            case "folder as csv file":
                return Prune($"csv:{dir.Path}");
            case "folder as idx file":
                return Prune($"idx:{dir.Path},{dir.Path}");
            case "file as mnist folder":
                return Prune($"mnist:{Csv()}");
            case "conv net on csv without shape":
                return Prune($"csv:{Csv()}", "--arch", "lenet5");
            case "input shape for non-csv data":
                return Prune("synthetic-digits", "--input-shape", "1,28,28");
            case "input shape that does not fit":
                return Prune($"csv:{Csv()}", "--input-shape", "1,5,5");
            case "out is a file":
                File.WriteAllText(outDir, "");
                return Prune($"csv:{Csv()}");
            case "out below a file":
                File.WriteAllText(dir.File("file"), "");
                return Prune($"csv:{Csv()}").Select(a => a == outDir ? Path.Combine(dir.File("file"), "out") : a).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }
    }
}

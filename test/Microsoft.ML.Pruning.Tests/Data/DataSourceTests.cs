using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class DataSourceTests
{
    private static readonly DataLoadOptions Small = new() { SyntheticDigitsCount = 200, SyntheticShapesCount = 100 };

    [Fact]
    public void Synthetic_digits_are_split_by_index()
    {
        var split = DataSource.Load("synthetic-digits", Small);

        Assert.Equal((140, 20, 40), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(SyntheticDigits.Shape, split.Train.Shape);
        Assert.Equal(10, split.Test.ClassCount);
    }

    [Fact]
    public void Synthetic_shapes_honour_split_seed_and_size()
    {
        var options = Small with { Split = new SplitFractions(0.5, 0.25, 0.25), Seed = 9 };

        var split = DataSource.Load(" Synthetic-Shapes ", options);

        Assert.Equal((50, 25, 25), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(SyntheticShapes.Shape, split.Train.Shape);
        Assert.True(split.Train.Features.SequenceEqual(SyntheticShapes.Generate(100, 9).Slice(0, 50).Features));
    }

    [Fact]
    public void Default_synthetic_size_is_twelve_thousand_rows()
    {
        Assert.Equal(12_000, DataLoadOptions.Default.SyntheticDigitsCount);
        Assert.Equal(12_000, DataLoadOptions.Default.SyntheticShapesCount);
        Assert.Equal(SplitFractions.Default, DataLoadOptions.Default.Split);
    }

    [Fact]
    public void Idx_pair_with_relative_paths_is_split_by_index()
    {
        using var dir = new TempDirectory();
        TestDataFiles.WriteIdxPair(dir.Path, "t10k", 100, gzip: true);

        var split = DataSource.Load("idx:t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz", new DataLoadOptions { BaseDirectory = dir.Path });

        Assert.Equal((70, 10, 20), (split.Train.Count, split.Validation.Count, split.Test.Count));
    }

    [Fact]
    public void Mnist_cifar_and_csv_specs_use_their_readers()
    {
        using var dir = new TempDirectory();
        string mnist = Directory.CreateDirectory(dir.File("mnist")).FullName;
        TestDataFiles.WriteIdxPair(mnist, "train", 40, gzip: false);
        TestDataFiles.WriteIdxPair(mnist, "t10k", 10, gzip: false);
        string cifar = Directory.CreateDirectory(dir.File("cifar")).FullName;
        foreach (string name in Cifar10Reader.TrainFileNames.Append(Cifar10Reader.TestFileName))
        {
            TestDataFiles.Write(Path.Combine(cifar, name), TestDataFiles.CifarBatch(TestDataFiles.CyclicLabels(10)));
        }

        File.WriteAllText(dir.File("data.csv"), string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{i % 3},{i},{i * 2}")));

        var fromMnist = DataSource.Load($"mnist:{mnist}");
        var fromCifar = DataSource.Load("cifar10:cifar", new DataLoadOptions { BaseDirectory = dir.Path });
        var fromCsv = DataSource.Load($"csv:{dir.File("data.csv")}");

        Assert.Equal((36, 4, 10), (fromMnist.Train.Count, fromMnist.Validation.Count, fromMnist.Test.Count));
        Assert.Equal((45, 5, 10), (fromCifar.Train.Count, fromCifar.Validation.Count, fromCifar.Test.Count));
        Assert.Equal((7, 1, 2), (fromCsv.Train.Count, fromCsv.Validation.Count, fromCsv.Test.Count));
        Assert.Equal(3, fromCsv.Train.ClassCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("imagenet:/data")]
    [InlineData("idx:only-one-file")]
    [InlineData("idx:a,b,c")]
    [InlineData("csv:")]
    [InlineData("mnist")]
    [InlineData("synthetic-digits:5")]
    public void Bad_spec_is_rejected_listing_the_valid_forms(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => DataSource.Load(spec));
        Assert.Contains($"'{spec}'", e.Message);
        foreach (string form in DataSource.ValidForms)
        {
            Assert.Contains(form, e.Message);
        }
    }

    [Fact]
    public void Missing_files_surface_as_file_errors_naming_the_file()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("missing.csv");

        var e = Assert.Throws<FileNotFoundException>(() => DataSource.Load($"csv:{missing}"));
        Assert.Contains(missing, e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => DataSource.Load($"cifar10:{dir.File("none")}"));
    }

    [Fact]
    public void A_declared_class_count_reaches_the_readers_and_must_match_a_fixed_source()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("d.csv"), "0,1\n1,2\n0,3\n1,4\n0,5\n1,6\n0,7\n1,8\n0,9\n1,10\n");

        var csv = DataSource.Load($"csv:{dir.File("d.csv")}", new DataLoadOptions { ClassCount = 4 });
        var e = Assert.Throws<InvalidDataException>(() => DataSource.Load("synthetic-digits", new DataLoadOptions { ClassCount = 3, SyntheticDigitsCount = 100 }));

        Assert.Equal(4, csv.Train.ClassCount);
        Assert.Contains("has 10 classes, not the 3 declared", e.Message);
    }

    [MnistFact]
    public void Shared_mnist_10k_loads_through_data_specs()
    {
        var viaIdx = DataSource.Load($"idx:{RepositoryPaths.MnistImages},{RepositoryPaths.MnistLabels}");
        var viaFolder = DataSource.Load($"mnist:{RepositoryPaths.Mnist10kDirectory}");

        foreach (var split in new[] { viaIdx, viaFolder })
        {
            Assert.Equal((7000, 1000, 2000), (split.Train.Count, split.Validation.Count, split.Test.Count));
            Assert.Equal(10, split.Train.ClassCount);
        }

        Assert.True(viaIdx.Test.Features.SequenceEqual(viaFolder.Test.Features));
    }
}

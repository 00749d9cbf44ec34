using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class MnistDirectoryTests
{
    [Fact]
    public void Both_pairs_give_train_and_validation_from_train_and_test_from_t10k()
    {
        using var dir = new TempDirectory();
        TestDataFiles.WriteIdxPair(dir.Path, "train", 50, gzip: true);
        TestDataFiles.WriteIdxPair(dir.Path, "t10k", 20, gzip: false);

        var split = MnistDirectory.Load(dir.Path);

        Assert.Equal(45, split.Train.Count);
        Assert.Equal(5, split.Validation.Count);
        Assert.Equal(20, split.Test.Count);
        // Validation is the last rows of the training file, by index.
        Assert.Equal(TestDataFiles.Pixel(45, 0) / 255f, split.Validation.Row(0)[0]);
        Assert.Equal(TestDataFiles.Pixel(0, 0) / 255f, split.Test.Row(0)[0]);
    }

    [Fact]
    public void A_single_pair_is_split_by_index()
    {
        using var dir = new TempDirectory();
        TestDataFiles.WriteIdxPair(dir.Path, "t10k", 100, gzip: true);

        var split = MnistDirectory.Load(dir.Path);

        Assert.Equal((70, 10, 20), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(TestDataFiles.Pixel(70, 3) / 255f, split.Validation.Row(0)[3]);

        var custom = MnistDirectory.Load(dir.Path, new SplitFractions(0.5, 0.25, 0.25));
        Assert.Equal((50, 25, 25), (custom.Train.Count, custom.Validation.Count, custom.Test.Count));
    }

    [Fact]
    public void Dotted_mirror_file_names_are_accepted()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("train-images.idx3-ubyte"), TestDataFiles.IdxImages(10, 28, 28));
        TestDataFiles.Write(dir.File("train-labels.idx1-ubyte"), TestDataFiles.IdxLabels(TestDataFiles.CyclicLabels(10)));

        Assert.Equal(7, MnistDirectory.Load(dir.Path).Train.Count);
    }

    [Fact]
    public void Half_a_pair_names_the_missing_partner()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("t10k-images-idx3-ubyte.gz"), TestDataFiles.IdxImages(3, 28, 28), gzip: true);

        var e = Assert.Throws<FileNotFoundException>(() => MnistDirectory.Load(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void Folder_without_pairs_is_reported()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<FileNotFoundException>(() => MnistDirectory.Load(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void Missing_folder_is_reported()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("nowhere");

        var e = Assert.Throws<DirectoryNotFoundException>(() => MnistDirectory.Load(missing));
        Assert.Contains(missing, e.Message);
    }

    [MnistFact]
    public void Shared_mnist_10k_reads_as_ten_thousand_digits()
    {
        var data = IdxReader.Read(RepositoryPaths.MnistImages, RepositoryPaths.MnistLabels);

        Assert.Equal(10_000, data.Count);
        Assert.Equal(784, data.FeatureCount);
        Assert.Equal(new ImageShape(1, 28, 28), data.Shape);
        Assert.Equal(10, data.ClassCount);
        Assert.All(data.ClassHistogram(), n => Assert.InRange(n, 800, 1200));
        Assert.Equal(0f, data.Features.ToArray().Min());
        Assert.Equal(1f, data.Features.ToArray().Max());
        // The first test digit of MNIST is a 7, the second a 2.
        Assert.Equal(7, data.Labels[0]);
        Assert.Equal(2, data.Labels[1]);

        var split = SplitFractions.Default.Apply(data);
        Assert.Equal((7000, 1000, 2000), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(data.Labels[7000], split.Validation.Labels[0]);
        Assert.Equal(data.Labels[8000], split.Test.Labels[0]);
    }

    [Fact]
    public void A_file_given_as_the_folder_is_reported_as_a_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("not-a-folder"), "x");

        var e = Assert.Throws<DirectoryNotFoundException>(() => MnistDirectory.Load(dir.File("not-a-folder")));

        Assert.Contains("is a file, not a folder", e.Message);
    }
}

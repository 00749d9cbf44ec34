using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class Cifar10ReaderTests
{
    [Fact]
    public void Reads_records_channel_major_scaled_to_unit_range()
    {
        using var dir = new TempDirectory();
        string batch = dir.File("data_batch_1.bin");
        TestDataFiles.Write(batch, TestDataFiles.CifarBatch(new byte[] { 3, 0, 9, 5, 1, 2, 8 }));

        var data = Cifar10Reader.Read(batch);

        Assert.Equal(7, data.Count);
        Assert.Equal(3072, data.FeatureCount);
        Assert.Equal(new ImageShape(3, 32, 32), data.Shape);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(new long[] { 3, 0, 9, 5, 1, 2, 8 }, data.Labels.ToArray());
        // Record bytes 1.. are the features in the same (channel-major) order: no transposition.
        for (int i = 0; i < 3072; i += 511)
        {
            Assert.Equal(TestDataFiles.Pixel(4, i) / 255f, data.Row(4)[i]);
        }
    }

    [Fact]
    public void Several_files_are_concatenated_in_order()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("a.bin"), TestDataFiles.CifarBatch(new byte[] { 1, 2 }));
        TestDataFiles.Write(dir.File("b.bin"), TestDataFiles.CifarBatch(new byte[] { 7, 8, 9 }));

        var data = Cifar10Reader.Read(dir.File("a.bin"), dir.File("b.bin"));

        Assert.Equal(new long[] { 1, 2, 7, 8, 9 }, data.Labels.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Directory_gives_train_validation_from_data_batches_and_test_from_test_batch(bool nested)
    {
        using var dir = new TempDirectory();
        string folder = nested ? Directory.CreateDirectory(dir.File("cifar-10-batches-bin")).FullName : dir.Path;
        for (int k = 1; k <= 5; k++)
        {
            TestDataFiles.Write(Path.Combine(folder, $"data_batch_{k}.bin"), TestDataFiles.CifarBatch(Enumerable.Repeat((byte)k, 20).ToArray()));
        }

        TestDataFiles.Write(Path.Combine(folder, "test_batch.bin"), TestDataFiles.CifarBatch(Enumerable.Repeat((byte)0, 10).ToArray()));

        var split = Cifar10Reader.ReadDirectory(dir.Path);

        Assert.Equal((90, 10, 10), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(1, split.Train.Labels[0]);
        Assert.All(split.Validation.Labels.ToArray(), label => Assert.Equal(5, label)); // the last rows of data_batch_5
        Assert.All(split.Test.Labels.ToArray(), label => Assert.Equal(0, label));
    }

    [Fact]
    public void Size_that_is_not_whole_records_is_reported()
    {
        using var dir = new TempDirectory();
        string batch = dir.File("data_batch_1.bin");
        TestDataFiles.Write(batch, TestDataFiles.CifarBatch(new byte[] { 1, 2 })[..5000]);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read(batch));
        Assert.Contains(batch, e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void Label_above_nine_is_reported_with_its_record()
    {
        using var dir = new TempDirectory();
        string batch = dir.File("data_batch_1.bin");
        TestDataFiles.Write(batch, TestDataFiles.CifarBatch(new byte[] { 1, 2, 10 }));

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read(batch));
        Assert.Contains(batch, e.Message);
        Assert.Contains("record 2", e.Message);
        Assert.Contains("label 10", e.Message);
    }

    [Fact]
    public void Empty_file_is_reported()
    {
        using var dir = new TempDirectory();
        string batch = dir.File("empty.bin");
        File.WriteAllBytes(batch, Array.Empty<byte>());

        var e = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Read(batch));
        Assert.Contains(batch, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("data_batch_9.bin");

        var e = Assert.Throws<FileNotFoundException>(() => Cifar10Reader.Read(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Directory_missing_a_batch_names_it()
    {
        using var dir = new TempDirectory();
        foreach (string name in new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin" })
        {
            TestDataFiles.Write(dir.File(name), TestDataFiles.CifarBatch(new byte[] { 1 }));
        }

        var e = Assert.Throws<FileNotFoundException>(() => Cifar10Reader.ReadDirectory(dir.Path));
        Assert.Contains("data_batch_3.bin", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }
}

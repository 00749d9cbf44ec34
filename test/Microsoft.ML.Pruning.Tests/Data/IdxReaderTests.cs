using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_an_image_and_label_pair_raw_or_gzip(bool gzip)
    {
        using var dir = new TempDirectory();
        var (images, labels) = TestDataFiles.WriteIdxPair(dir.Path, "t10k", count: 12, gzip);

        var data = IdxReader.Read(images, labels);

        Assert.Equal(12, data.Count);
        Assert.Equal(784, data.FeatureCount);
        Assert.Equal(new ImageShape(1, 28, 28), data.Shape);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(TestDataFiles.CyclicLabels(12).Select(b => (long)b), data.Labels.ToArray());
        Assert.Equal(TestDataFiles.Pixel(5, 100) / 255f, data.Row(5)[100]);
        Assert.All(data.Features.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Detects_gzip_by_content_not_by_file_name()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.raw");
        string labels = dir.File("labels.gz");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(3, 4, 5), gzip: true);
        TestDataFiles.Write(labels, TestDataFiles.IdxLabels(new byte[] { 1, 2, 3 }), gzip: false);

        var data = IdxReader.Read(images, labels);

        Assert.Equal(3, data.Count);
        Assert.Equal(new ImageShape(1, 4, 5), data.Shape);
        Assert.Equal(TestDataFiles.Pixel(2, 19) / 255f, data.Row(2)[19]);
    }

    [Fact]
    public void Class_count_is_ten_unless_declared()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("i"), TestDataFiles.IdxImages(3, 2, 2));
        TestDataFiles.Write(dir.File("small"), TestDataFiles.IdxLabels(new byte[] { 0, 1, 2 }));
        TestDataFiles.Write(dir.File("large"), TestDataFiles.IdxLabels(new byte[] { 0, 25, 2 }));

        Assert.Equal(10, IdxReader.Read(dir.File("i"), dir.File("small")).ClassCount);
        Assert.Equal(26, IdxReader.Read(dir.File("i"), dir.File("large"), classCount: 26).ClassCount);
        Assert.Equal(3, IdxReader.Read(dir.File("i"), dir.File("small"), classCount: 3).ClassCount);
    }

    [Fact]
    public void Labels_outside_the_class_count_are_refused_naming_the_first_and_the_count()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("i"), TestDataFiles.IdxImages(4, 2, 2));
        TestDataFiles.Write(dir.File("l"), TestDataFiles.IdxLabels(new byte[] { 0, 12, 2, 11 }));

        var undeclared = Assert.Throws<InvalidDataException>(() => IdxReader.Read(dir.File("i"), dir.File("l")));
        var declared = Assert.Throws<InvalidDataException>(() => IdxReader.Read(dir.File("i"), dir.File("l"), classCount: 12));

        Assert.Contains("label 12 of item 1 is outside 0..9 (2 labels in all, up to 12)", undeclared.Message);
        Assert.Contains("--classes", undeclared.Message);
        Assert.Contains("label 12 of item 1 is outside 0..11; the declared class count is 12", declared.Message);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        using var dir = new TempDirectory();
        var (images, _) = TestDataFiles.WriteIdxPair(dir.Path, "t10k", 3, gzip: false);
        string missing = dir.File("no-such-labels");

        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(images, missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Truncated_images_file_is_reported_with_sizes()
    {
        using var dir = new TempDirectory();
        var bytes = TestDataFiles.IdxImages(10, 28, 28);
        string images = dir.File("truncated-images");
        TestDataFiles.Write(images, bytes[..(16 + 1234)]);
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(TestDataFiles.CyclicLabels(10)));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, dir.File("labels")));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("10 images of 28x28", e.Message);
        Assert.Contains("1234 bytes", e.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        using var dir = new TempDirectory();
        var (images, labels) = TestDataFiles.WriteIdxPair(dir.Path, "t10k", 50, gzip: true);
        var compressed = File.ReadAllBytes(images);
        File.WriteAllBytes(images, compressed[..(compressed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, labels));
        Assert.Contains(images, e.Message);
    }

    [Fact]
    public void Header_shorter_than_sixteen_bytes_is_truncated()
    {
        using var dir = new TempDirectory();
        string images = dir.File("short");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(1, 2, 2)[..10]);
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(new byte[] { 1 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, dir.File("labels")));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData(0x00000801, "dimension")]   // a labels file given as images
    [InlineData(0x00000D03, "type code")]   // float elements
    [InlineData(0x50346E0A, "not an IDX file")]
    public void Bad_images_magic_is_reported(int magic, string expected)
    {
        using var dir = new TempDirectory();
        string images = dir.File("bad-magic");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(2, 2, 2, magic));
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(new byte[] { 1, 2 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, dir.File("labels")));
        Assert.Contains(images, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Bad_labels_magic_is_reported()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("images"), TestDataFiles.IdxImages(2, 2, 2));
        string labels = dir.File("bad-labels");
        TestDataFiles.Write(labels, TestDataFiles.IdxLabels(new byte[] { 1, 2 }, magic: 0x00000803));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(dir.File("images"), labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_names_both_files()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images");
        string labels = dir.File("labels");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(5, 3, 3));
        TestDataFiles.Write(labels, TestDataFiles.IdxLabels(new byte[] { 1, 2, 3, 4 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
    }

    [Fact]
    public void Truncated_labels_file_is_reported()
    {
        using var dir = new TempDirectory();
        TestDataFiles.Write(dir.File("images"), TestDataFiles.IdxImages(5, 3, 3));
        string labels = dir.File("labels");
        TestDataFiles.Write(labels, TestDataFiles.IdxLabels(new byte[] { 1, 2, 3 }, declaredCount: 5));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(dir.File("images"), labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_reported()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(5, 3, 3, declaredCount: 4));
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(new byte[] { 1, 2, 3, 4 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, dir.File("labels")));
        Assert.Contains(images, e.Message);
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void Non_positive_dimensions_are_reported()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images");
        TestDataFiles.Write(images, TestDataFiles.IdxImages(0, 3, 3));
        TestDataFiles.Write(dir.File("labels"), TestDataFiles.IdxLabels(new byte[] { 1 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(images, dir.File("labels")));
        Assert.Contains(images, e.Message);
        Assert.Contains("dimensions", e.Message);
    }
}

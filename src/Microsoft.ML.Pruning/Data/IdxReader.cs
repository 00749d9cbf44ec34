using System.Buffers.Binary;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Reads image classification data in the IDX format of MNIST and Fashion-MNIST: an images file
/// (magic <c>0x00000803</c>: unsigned bytes, three dimensions count x rows x columns) and a labels file
/// (magic <c>0x00000801</c>: unsigned bytes, one dimension), each raw or gzip-compressed.
/// </summary>
/// <remarks>
/// Pixels are scaled to [0, 1] (<c>byte / 255</c>) and rows get the image shape <c>(1, rows, columns)</c>.
/// The class count is the declared one, or 10 (MNIST, Fashion-MNIST) when none is declared, so a subset that
/// happens to miss the last digits still gives a ten-way classifier; a label outside it is refused rather than
/// silently widening the network with classes that have no rows (IDX sets with more classes, such as EMNIST,
/// declare their count). Every format problem is an <see cref="InvalidDataException"/> whose message names the
/// file and what is wrong.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The class count <see cref="Read"/> assumes when none is declared (MNIST-style sets have ten classes).</summary>
    public const int DefaultClassCount = 10;

    private const int ImagesHeaderBytes = 16;
    private const int LabelsHeaderBytes = 8;

    /// <summary>Reads an images file and its labels file into one data set, in file order.</summary>
    /// <param name="imagesPath">The images file (e.g. <c>t10k-images-idx3-ubyte.gz</c>), gzip or raw.</param>
    /// <param name="labelsPath">The labels file (e.g. <c>t10k-labels-idx1-ubyte.gz</c>), gzip or raw.</param>
    /// <param name="classCount">The number of classes; null for <see cref="DefaultClassCount"/>.</param>
    /// <returns>Rows of <c>rows * columns</c> features in [0, 1], shape <c>(1, rows, columns)</c>.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist, or a path is a folder.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX (bad magic, bad dimensions, truncated or
    /// with trailing bytes), the two files hold different numbers of items, or a label is not below the class count.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2 or above 256.</exception>
    public static InMemoryDataset Read(string imagesPath, string labelsPath, int? classCount = null)
    {
        int classes = classCount ?? DefaultClassCount;
        if (classes < 2 || classes > 256)
        {
            // Labels are single bytes, and a classifier needs two classes.
            throw new ArgumentOutOfRangeException(nameof(classCount), classes, $"An IDX class count must be in [2, 256], not {classes}.");
        }

        var (pixels, count, height, width) = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
        {
            throw new InvalidDataException(
                $"IDX images '{imagesPath}' holds {count} images but labels '{labelsPath}' holds {labels.Length} labels; they must match one to one.");
        }

        CheckLabels(labels, classes, labelsPath, declared: classCount is not null);
        return new InMemoryDataset(
            pixels, labels, height * width, new ImageShape(1, height, width),
            classCount: classes, name: Path.GetFileName(imagesPath));
    }

    /// <summary>Refuses labels at or above the class count, naming the first one and how many there are.</summary>
    private static void CheckLabels(long[] labels, int classes, string labelsPath, bool declared)
    {
        int first = Array.FindIndex(labels, l => l >= classes);
        if (first < 0)
        {
            return;
        }

        int outside = labels.Count(l => l >= classes);
        string others = outside > 1 ? $" ({outside} labels in all, up to {labels.Max()})" : "";
        string why = declared
            ? $"the declared class count is {classes}"
            : $"IDX data is read as {DefaultClassCount} classes (MNIST, Fashion-MNIST) unless a class count is declared (--classes on the command line)";
        throw new InvalidDataException(
            $"IDX labels file '{labelsPath}': label {labels[first]} of item {first} is outside 0..{classes - 1}{others}; {why}.");
    }

    /// <summary>Reads an IDX images file: pixels scaled to [0, 1], row-major, with the image count and size.</summary>
    internal static (float[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        byte[] bytes = DataFile.ReadAllBytes(path, "IDX images file");
        string file = $"IDX images file '{path}'";
        CheckMagic(bytes, file, ImagesMagic, expectedDims: 3, "images (count, rows, columns)");
        if (bytes.Length < ImagesHeaderBytes)
        {
            throw new InvalidDataException($"{file} is truncated: {bytes.Length} bytes, shorter than the {ImagesHeaderBytes}-byte header.");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (count <= 0 || height <= 0 || width <= 0)
        {
            throw new InvalidDataException($"{file} has invalid dimensions {count} x {height} x {width}; all must be positive.");
        }

        long expected = (long)count * height * width;
        if (expected > int.MaxValue)
        {
            throw new InvalidDataException($"{file} declares {count} images of {height}x{width}: too large to hold in memory as one array.");
        }

        long actual = bytes.Length - ImagesHeaderBytes;
        if (actual < expected)
        {
            throw new InvalidDataException(
                $"{file} is truncated: header says {count} images of {height}x{width} ({expected} bytes of pixels) but only {actual} bytes of pixels follow.");
        }

        if (actual > expected)
        {
            throw new InvalidDataException(
                $"{file} has {actual - expected} unexpected trailing bytes: header says {count} images of {height}x{width} ({expected} bytes of pixels).");
        }

        var pixels = new float[expected];
        var source = bytes.AsSpan(ImagesHeaderBytes);
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = source[i] / 255f;
        }

        return (pixels, count, height, width);
    }

    /// <summary>Reads an IDX labels file.</summary>
    internal static long[] ReadLabels(string path)
    {
        byte[] bytes = DataFile.ReadAllBytes(path, "IDX labels file");
        string file = $"IDX labels file '{path}'";
        CheckMagic(bytes, file, LabelsMagic, expectedDims: 1, "labels (count)");
        if (bytes.Length < LabelsHeaderBytes)
        {
            throw new InvalidDataException($"{file} is truncated: {bytes.Length} bytes, shorter than the {LabelsHeaderBytes}-byte header.");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (count <= 0)
        {
            throw new InvalidDataException($"{file} declares {count} labels; the count must be positive.");
        }

        long actual = bytes.Length - LabelsHeaderBytes;
        if (actual < count)
        {
            throw new InvalidDataException($"{file} is truncated: header says {count} labels but only {actual} bytes of labels follow.");
        }

        if (actual > count)
        {
            throw new InvalidDataException($"{file} has {actual - count} unexpected trailing bytes after its {count} labels.");
        }

        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = bytes[LabelsHeaderBytes + i];
        }

        return labels;
    }

    private static void CheckMagic(byte[] bytes, string file, int expectedMagic, int expectedDims, string what)
    {
        if (bytes.Length < 4)
        {
            throw new InvalidDataException($"{file} is truncated: {bytes.Length} bytes, too short to hold the IDX magic number.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic == expectedMagic)
        {
            return;
        }

        // The magic is 0x00, 0x00, element type, dimension count: say which part is wrong.
        string detail = bytes[0] != 0 || bytes[1] != 0
            ? "this is not an IDX file"
            : bytes[2] != 0x08
                ? $"its elements have type code 0x{bytes[2]:X2}; only unsigned bytes (0x08) are supported"
                : $"it has {bytes[3]} dimension(s) but {what} need {expectedDims}";
        throw new InvalidDataException($"{file} has magic number 0x{magic:X8}, expected 0x{expectedMagic:X8}: {detail}.");
    }
}

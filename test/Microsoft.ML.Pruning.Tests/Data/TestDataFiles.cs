using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Pruning.Tests.Data;

/// <summary>Writes small, valid or deliberately broken data files for reader tests.</summary>
internal static class TestDataFiles
{
    /// <summary>The pixel byte of image <paramref name="n"/> at flat position <paramref name="i"/>: varied and predictable.</summary>
    public static byte Pixel(int n, int i) => (byte)((n * 31 + i * 7) % 256);

    /// <summary>The IDX images file bytes: header then <c>count * height * width</c> pixels from <see cref="Pixel"/>.</summary>
    public static byte[] IdxImages(int count, int height, int width, int magic = 0x00000803, int? declaredCount = null)
    {
        var bytes = new byte[16 + count * height * width];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), declaredCount ?? count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), height);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), width);
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < height * width; i++)
            {
                bytes[16 + n * height * width + i] = Pixel(n, i);
            }
        }

        return bytes;
    }

    /// <summary>The IDX labels file bytes.</summary>
    public static byte[] IdxLabels(byte[] labels, int magic = 0x00000801, int? declaredCount = null)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), declaredCount ?? labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>Labels 0, 1, .., 9, 0, 1, .. for <paramref name="count"/> rows.</summary>
    public static byte[] CyclicLabels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();

    /// <summary>Writes an IDX pair of <paramref name="count"/> images of 28x28, gzip or raw, and returns the paths.</summary>
    public static (string Images, string Labels) WriteIdxPair(string directory, string prefix, int count, bool gzip, int height = 28, int width = 28)
    {
        string suffix = gzip ? ".gz" : "";
        string images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte{suffix}");
        string labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte{suffix}");
        Write(images, IdxImages(count, height, width), gzip);
        Write(labels, IdxLabels(CyclicLabels(count)), gzip);
        return (images, labels);
    }

    /// <summary>One CIFAR-10 record per label: the label byte then 3072 pixels from <see cref="Pixel"/>.</summary>
    public static byte[] CifarBatch(byte[] labels)
    {
        const int Record = 3073;
        var bytes = new byte[labels.Length * Record];
        for (int n = 0; n < labels.Length; n++)
        {
            bytes[n * Record] = labels[n];
            for (int i = 0; i < 3072; i++)
            {
                bytes[n * Record + 1 + i] = Pixel(n, i);
            }
        }

        return bytes;
    }

    public static void Write(string path, byte[] bytes, bool gzip = false)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }

        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
    }
}

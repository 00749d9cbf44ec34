using System.Buffers.Binary;

namespace Microsoft.ML.Pruning.Tests.Reporting;

/// <summary>Checks a PNG file: signature, first chunk IHDR, and the width and height it declares.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    public static void AssertValid(string path, int width, int height, long minBytes = 2_000)
    {
        Assert.True(File.Exists(path), $"missing {path}");
        AssertValid(File.ReadAllBytes(path), width, height, minBytes);
    }

    public static void AssertValid(byte[] png, int width, int height, long minBytes = 2_000)
    {
        Assert.True(png.Length >= minBytes, $"PNG of {png.Length} bytes is too small to hold a chart");
        Assert.Equal(Signature, png[..8]);
        // Bytes 8..16: length and type of the first chunk, which must be IHDR; then width and height, big-endian.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }
}

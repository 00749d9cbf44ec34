namespace Microsoft.ML.Pruning.Data;

/// <summary>The (channels, height, width) layout of a flat image feature vector, channel-major like PyTorch.</summary>
/// <param name="Channels">Number of channels (1 for grey images, 3 for RGB).</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The number of features a flat vector of this shape holds: <c>Channels * Height * Width</c>.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Parses <c>"C,H,W"</c> (or <c>"CxHxW"</c>), e.g. <c>"1,28,28"</c>.</summary>
    /// <exception cref="FormatException">The text is not three positive integers.</exception>
    public static ImageShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(new[] { ',', 'x', 'X' }, StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out int v) && v > 0))
        {
            throw new FormatException($"Image shape '{text}' is not three positive integers 'C,H,W' (e.g. '1,28,28').");
        }

        return new ImageShape(int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

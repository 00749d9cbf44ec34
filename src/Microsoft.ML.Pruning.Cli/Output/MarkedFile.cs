using System.Security.Cryptography;

namespace Microsoft.ML.Pruning.Cli.Output;

/// <summary>One file of a completed output set: its name in the folder, size and SHA-256.</summary>
/// <param name="Name">The file name, no folder.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
internal sealed record MarkedFile(string Name, long Bytes, string Sha256)
{
    /// <summary>Describes the file at <paramref name="path"/>.</summary>
    public static MarkedFile Of(string path)
    {
        using var stream = File.OpenRead(path);
        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new MarkedFile(Path.GetFileName(path), stream.Length, hash);
    }

    /// <summary>Why the file in <paramref name="directory"/> is not this one, or null when it is.</summary>
    public string? Mismatch(string directory)
    {
        string path = Path.Combine(directory, Name);
        if (!File.Exists(path))
        {
            return $"{Name} is missing";
        }

        if (new FileInfo(path).Length != Bytes)
        {
            return $"{Name} has {new FileInfo(path).Length} bytes, not {Bytes}";
        }

        return Of(path).Sha256 == Sha256 ? null : $"{Name} has other content";
    }
}

using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Native;

public sealed class ElfVersionPatcherTests
{
    private const string StdCxx = "libstdc++.so.6";
    private const string Marker = "GLIBCXX_3.4.32";

    private static (byte[] Bytes, string Path) Shim()
    {
        string path = TorchSharpNativeLoader.FindShim() ?? throw new InvalidOperationException("TorchSharp shim not found");
        return (File.ReadAllBytes(path), path);
    }

    [Fact]
    public void ReadsTheVersionsTheTorchSharpShimNeedsFromLibStdCxx()
    {
        var (bytes, path) = Shim();
        var needs = ElfVersionPatcher.ReadVersionNeeds(bytes, path);

        Assert.Contains(needs, n => n.Library == StdCxx && n.Version == Marker && !n.IsWeak);
        Assert.Contains(needs, n => n.Library == "libc.so.6" && n.Version.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkWeakChangesOnlyTheFlagOfTheNamedVersion()
    {
        var (bytes, path) = Shim();
        byte[] patched = ElfVersionPatcher.MarkWeak(bytes, path, StdCxx, new[] { Marker });

        Assert.Equal(bytes.Length, patched.Length);
        var changed = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] != patched[i]).ToList();
        var target = ElfVersionPatcher.ReadVersionNeeds(bytes, path).Single(n => n.Version == Marker);
        // VER_FLG_WEAK is 0x2 in the low byte of the little-endian vna_flags: exactly one byte differs.
        Assert.Equal(new[] { target.FlagsOffset }, changed);
        Assert.Equal(bytes[target.FlagsOffset] | 0x2, patched[target.FlagsOffset]);

        var before = ElfVersionPatcher.ReadVersionNeeds(bytes, path);
        var after = ElfVersionPatcher.ReadVersionNeeds(patched, path);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Version, after[i].Version);
            Assert.Equal(before[i].Version == Marker, after[i].IsWeak);
        }
    }

    [Fact]
    public void ReadsVersionDefinitionsOfTheSystemLibStdCxx()
    {
        string libstdcxx = TorchSharpNativeLoader.LoadedLibraryPath(StdCxx)!;
        var defined = ElfVersionPatcher.ReadVersionDefinitions(File.ReadAllBytes(libstdcxx), libstdcxx);

        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Fact]
    public void RejectsAFileThatIsNotElfNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds("just some text, not a library"u8.ToArray(), "notes.txt"));
        Assert.Contains("notes.txt", e.Message);
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void RejectsA32BitElf()
    {
        var header = new byte[64];
        header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F';
        header[4] = 1; header[5] = 1;
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(header, "lib32.so"));
        Assert.Contains("lib32.so", e.Message);
        Assert.Contains("64-bit little-endian", e.Message);
    }

    [Fact]
    public void RejectsATruncatedLibrary()
    {
        var (bytes, _) = Shim();
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(bytes.AsSpan(0, bytes.Length / 2), "half.so"));
        Assert.Contains("half.so", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void RefusesToMarkAVersionTheFileDoesNotNeed()
    {
        var (bytes, path) = Shim();
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkWeak(bytes, path, StdCxx, new[] { "GLIBCXX_9.9.99" }));
        Assert.Contains("GLIBCXX_9.9.99", e.Message);
    }
}

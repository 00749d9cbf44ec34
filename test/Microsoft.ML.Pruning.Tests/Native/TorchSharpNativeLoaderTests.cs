using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using TorchSharp;

namespace Microsoft.ML.Pruning.Tests.Native;

public sealed class TorchSharpNativeLoaderTests
{
    [Fact]
    public void TorchSharpWorksAfterEnsureLoaded()
    {
        TorchSharpNativeLoader.EnsureLoaded();
        using var t = torch.arange(4, dtype: torch.float32);
        Assert.Equal(6f, t.sum().item<float>());
    }

    [Fact]
    public void PatchesOnlyWhereTheSystemLibStdCxxLacksAVersionAndNeverInTheNuGetCache()
    {
        TorchSharpNativeLoader.EnsureLoaded();
        string shim = TorchSharpNativeLoader.FindShim()!;
        var missing = TorchSharpNativeLoader.MissingStdCxxVersions(File.ReadAllBytes(shim), shim);

        Assert.Equal(missing.Count > 0, TorchSharpNativeLoader.UsedPatchedShim);
        if (TorchSharpNativeLoader.UsedPatchedShim)
        {
            string nugetRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget");
            Assert.False(TorchSharpNativeLoader.PatchedShimPath!.StartsWith(nugetRoot, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ConcurrentPublishersAgreeOnOneCompleteCopy()
    {
        string shim = TorchSharpNativeLoader.FindShim()!;
        byte[] original = File.ReadAllBytes(shim);
        using var cache = new TempDirectory();
        var versions = new[] { "GLIBCXX_3.4.32" };

        var paths = new string[8];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => paths[i] = TorchSharpNativeLoader.PublishPatchedCopy(original, shim, versions, new[] { cache.Path }));

        Assert.Single(paths.Distinct());
        var needs = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(paths[0]), paths[0]);
        Assert.True(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        // No temp files are left behind by the writers.
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(paths[0])!));
    }

    [Fact]
    public void ReplacesACorruptCachedCopy()
    {
        string shim = TorchSharpNativeLoader.FindShim()!;
        byte[] original = File.ReadAllBytes(shim);
        using var cache = new TempDirectory();
        var versions = new[] { "GLIBCXX_3.4.32" };
        string path = TorchSharpNativeLoader.PublishPatchedCopy(original, shim, versions, new[] { cache.Path });
        File.WriteAllBytes(path, new byte[100]);

        string again = TorchSharpNativeLoader.PublishPatchedCopy(original, shim, versions, new[] { cache.Path });

        Assert.Equal(path, again);
        Assert.Equal(original.Length, new FileInfo(again).Length);
    }
}

namespace Microsoft.ML.Pruning.Tests.Infrastructure;

/// <summary>Locates the repository root and the shared data beside it (tests only; the product never needs it).</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Pruning.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Microsoft.ML.Pruning.sln) was not found above the test binaries.");
    });

    public static string RepositoryRoot => Root.Value;

    /// <summary><c>../shared</c> relative to the repository root.</summary>
    public static string SharedDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    /// <summary>The real MNIST digits (10k rows) used by tests that are skipped when it is absent.</summary>
    public static string Mnist10kDirectory => Path.Combine(SharedDirectory, "data", "mnist-10k");

    public static string MnistImages => Path.Combine(Mnist10kDirectory, "t10k-images-idx3-ubyte.gz");

    public static string MnistLabels => Path.Combine(Mnist10kDirectory, "t10k-labels-idx1-ubyte.gz");

    public static bool HasMnist10k => File.Exists(MnistImages) && File.Exists(MnistLabels);
}

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>Finds the shared MNIST-10k sample beside the repository (benchmarks only; the product never needs it).</summary>
internal static class BenchmarkData
{
    /// <summary>The repository root (the folder of Microsoft.ML.Pruning.sln above the binaries), or null.</summary>
    public static string? RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Pruning.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }

    /// <summary>The absolute path of <c>../shared</c> beside the repository root, or null.</summary>
    public static string? SharedRoot() =>
        RepositoryRoot() is { } root && Directory.GetParent(root) is { } parent ? Path.Combine(parent.FullName, "shared") : null;

    public static string? Mnist10kSpec()
    {
        if (SharedRoot() is not { } shared)
        {
            return null;
        }

        string mnist = Path.Combine(shared, "data", "mnist-10k");
        string images = Path.Combine(mnist, "t10k-images-idx3-ubyte.gz");
        string labels = Path.Combine(mnist, "t10k-labels-idx1-ubyte.gz");
        return File.Exists(images) && File.Exists(labels) ? $"idx:{images},{labels}" : null;
    }

    /// <summary>MNIST-10k when present, else the built-in synthetic digits.</summary>
    public static string DefaultSpec() => Mnist10kSpec() ?? "synthetic-digits";

    /// <summary>A spec as published: shared-data paths relative to the repository, not to this machine.</summary>
    public static string Display(string spec) =>
        SharedRoot() is { } shared ? spec.Replace(shared, "../shared", StringComparison.Ordinal) : spec;
}

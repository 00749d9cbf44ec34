namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>Finds the shared MNIST-10k sample beside the repository (benchmarks only; the product never needs it).</summary>
internal static class BenchmarkData
{
    public static string? Mnist10kSpec()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Pruning.sln")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            return null;
        }

        string mnist = Path.Combine(dir.Parent.FullName, "shared", "data", "mnist-10k");
        string images = Path.Combine(mnist, "t10k-images-idx3-ubyte.gz");
        string labels = Path.Combine(mnist, "t10k-labels-idx1-ubyte.gz");
        return File.Exists(images) && File.Exists(labels) ? $"idx:{images},{labels}" : null;
    }

    /// <summary>MNIST-10k when present, else the built-in synthetic digits.</summary>
    public static string DefaultSpec() => Mnist10kSpec() ?? "synthetic-digits";
}

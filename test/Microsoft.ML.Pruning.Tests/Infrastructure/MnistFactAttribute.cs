namespace Microsoft.ML.Pruning.Tests.Infrastructure;

/// <summary>A fact that needs the shared MNIST-10k files; skipped (never failed) where they are absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (!RepositoryPaths.HasMnist10k)
        {
            Skip = $"Shared MNIST-10k data not found at {RepositoryPaths.Mnist10kDirectory}.";
        }
    }
}

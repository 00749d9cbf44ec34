namespace Microsoft.ML.Pruning.Pruning;

/// <summary>What one pruning decision removes.</summary>
public enum PruningGranularity
{
    /// <summary>Single weights (unstructured sparsity): the network keeps its shape; the file shrinks with sparse storage.</summary>
    Weight,

    /// <summary>Whole output channels of Conv2d and whole neurons of Linear layers, with everything coupled to them:
    /// the exported network is physically smaller, so it runs faster wherever it is deployed.</summary>
    Channel,
}

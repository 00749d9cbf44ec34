namespace Microsoft.ML.Pruning.Networks;

/// <summary>The rectifier <c>max(x, 0)</c>, element-wise; any input shape.</summary>
/// <param name="Name">The layer name (see <see cref="LayerSpec.Name"/>).</param>
public sealed record ReluLayer(string Name) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override string Describe() => "ReLU";
}

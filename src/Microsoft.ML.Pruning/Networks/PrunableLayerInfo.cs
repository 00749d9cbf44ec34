namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// What the pruning engine, the flow metrics and the ONNX writer need to know about one prunable layer of a
/// <see cref="NetworkDefinition"/>, without any tensor.
/// </summary>
/// <param name="Name">
/// The layer's module path: its name, prefixed by the names of enclosing <see cref="ResidualBlock"/>s and a dot
/// (e.g. <c>fc1</c>, <c>stage2_block0.conv1</c>). The weight's state key is <c>{Name}.weight</c>.
/// </param>
/// <param name="Kind">Linear or Conv2d.</param>
/// <param name="WeightShape">The weight's shape: <c>[out, in]</c> or <c>[out, in, k, k]</c> (a copy is kept and returned).</param>
/// <param name="OnMainPath">False for layers inside a <see cref="ResidualBlock.Shortcut"/> (ResNet 1x1 shortcut convs), which
/// the information-flow metric leaves out.</param>
public sealed record PrunableLayerInfo(string Name, PrunableLayerKind Kind, long[] WeightShape, bool OnMainPath)
{
    private readonly long[] _weightShape = (long[])WeightShape.Clone();

    /// <summary>The weight's shape: <c>[out, in]</c> or <c>[out, in, k, k]</c>. Each read returns a fresh copy.</summary>
    public long[] WeightShape
    {
        get => (long[])_weightShape.Clone();
        init => _weightShape = (long[])value.Clone();
    }

    /// <summary>The number of weights (the product of <see cref="WeightShape"/>): what sparsity is measured against.</summary>
    public long WeightCount => _weightShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Value equality, comparing the weight shapes element by element.</summary>
    public bool Equals(PrunableLayerInfo? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && OnMainPath == other.OnMainPath &&
        _weightShape.AsSpan().SequenceEqual(other._weightShape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        hash.Add(Kind);
        hash.Add(OnMainPath);
        foreach (long d in _weightShape)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} ({Kind} [{string.Join(", ", _weightShape)}]{(OnMainPath ? "" : ", shortcut")})";
}

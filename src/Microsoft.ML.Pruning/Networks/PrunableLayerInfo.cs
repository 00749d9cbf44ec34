namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// What the pruning engine, the flow metrics and the ONNX writer need to know about one prunable layer of a network
/// (<see cref="INetworkSource.PrunableLayers"/>), without any tensor.
/// </summary>
/// <param name="Name">
/// The layer's name, unique in its network; masks, reports and ONNX metadata use it. For a built-in network
/// (<see cref="NetworkDefinition"/>) it is the module path: the layer's name, prefixed by the names of enclosing
/// <see cref="ResidualBlock"/>s and a dot (e.g. <c>fc1</c>, <c>stage2_block0.conv1</c>), and the weight's state key is
/// <c>{Name}.weight</c>. For an imported ONNX model (<see cref="Import.OnnxModelSource"/>) it is the Gemm, MatMul or
/// Conv node's name when the graph gives it a unique one (e.g. <c>/fc1/Gemm</c>), else the weight initializer's name
/// without a <c>.weight</c> suffix; the weight's state key is then the initializer's name with characters TorchSharp
/// keys cannot hold replaced by '_' (see <see cref="Import.OnnxGraphNetwork"/>).
/// </param>
/// <param name="Kind">Linear or Conv2d.</param>
/// <param name="WeightShape">The weight's shape: <c>[out, in]</c> or <c>[out, in/groups, kh, kw]</c> (a copy is kept and returned).</param>
/// <param name="OnMainPath">False for layers off the network's main path, which the information-flow metric leaves out:
/// for a built-in, the layers inside a <see cref="ResidualBlock.Shortcut"/> (ResNet 1x1 shortcut convs); for an imported
/// graph, the layers on no longest chain of prunable layers from the input to the output (a projection shortcut, one
/// layer where its block's main branch has two).</param>
public sealed record PrunableLayerInfo(string Name, PrunableLayerKind Kind, long[] WeightShape, bool OnMainPath)
{
    private readonly long[] _weightShape = (long[])WeightShape.Clone();

    /// <summary>The weight's shape: <c>[out, in]</c> or <c>[out, in/groups, kh, kw]</c>. Each read returns a fresh copy.</summary>
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

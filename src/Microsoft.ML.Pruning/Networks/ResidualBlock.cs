namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// A residual block (ResNet basic block): <c>y = relu(Main(x) + Shortcut(x))</c>, where an empty
/// <see cref="Shortcut"/> is the identity. The ReLU after the addition is part of the block, not a layer of its own.
/// </summary>
/// <remarks>
/// The block is a module of its own: its layers' parameter keys are <c>{block}.{layer}.weight</c>, and layer names
/// must be unique across <see cref="Main"/> and <see cref="Shortcut"/> together. Prunable layers in the shortcut are
/// off the main path (<see cref="PrunableLayerInfo.OnMainPath"/> false) and, in forward order, come after the block's
/// main-path layers.
/// </remarks>
/// <param name="Name">The block's module name (see <see cref="LayerSpec.Name"/>).</param>
/// <param name="Main">The main path, applied in order.</param>
/// <param name="Shortcut">The shortcut path, applied in order; empty for the identity.</param>
public sealed record ResidualBlock(string Name, IReadOnlyList<LayerSpec> Main, IReadOnlyList<LayerSpec> Shortcut) : LayerSpec(Name)
{
    private readonly IReadOnlyList<LayerSpec> _main = Freeze(Main, nameof(Main));
    private readonly IReadOnlyList<LayerSpec> _shortcut = Freeze(Shortcut, nameof(Shortcut));

    /// <summary>The main path, applied in order (a read-only copy of what was given).</summary>
    public IReadOnlyList<LayerSpec> Main
    {
        get => _main;
        init => _main = Freeze(value, nameof(Main));
    }

    /// <summary>The shortcut path, applied in order; empty for the identity (a read-only copy of what was given).</summary>
    public IReadOnlyList<LayerSpec> Shortcut
    {
        get => _shortcut;
        init => _shortcut = Freeze(value, nameof(Shortcut));
    }

    /// <summary>True when the shortcut is the identity.</summary>
    public bool HasIdentityShortcut => Shortcut.Count == 0;

    /// <inheritdoc />
    public override string Describe() =>
        $"ResidualBlock ({Main.Count} main layers, {(HasIdentityShortcut ? "identity shortcut" : $"{Shortcut.Count} shortcut layers")})";

    /// <summary>Value equality, comparing the layer lists element by element.</summary>
    public bool Equals(ResidualBlock? other) =>
        other is not null && Name == other.Name && Main.SequenceEqual(other.Main) && Shortcut.SequenceEqual(other.Shortcut);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        foreach (var layer in Main)
        {
            hash.Add(layer);
        }

        hash.Add(Shortcut.Count);
        foreach (var layer in Shortcut)
        {
            hash.Add(layer);
        }

        return hash.ToHashCode();
    }

    private static IReadOnlyList<LayerSpec> Freeze(IReadOnlyList<LayerSpec> layers, string parameter)
    {
        ArgumentNullException.ThrowIfNull(layers, parameter);
        // A private copy: later changes to the caller's list cannot change a validated network.
        return Array.AsReadOnly(layers.ToArray());
    }
}

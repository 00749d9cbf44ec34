namespace Microsoft.ML.Pruning.Networks;

/// <summary>
/// One layer of a network description: an immutable value that the TorchSharp builder, the pruning engine and the
/// ONNX writer all read. The set of layer kinds is closed (only this assembly can add one), so code that switches
/// over the kinds can rely on seeing every case.
/// </summary>
/// <remarks>
/// A layer's <see cref="Name"/> names its module: parameter keys are <c>{Name}.weight</c>, <c>{Name}.bias</c> and so
/// on, prefixed by the names of the enclosing <see cref="ResidualBlock"/>s and a dot. Names are therefore plain
/// identifiers (letters, digits, <c>_</c>; no dot) and must be unique among their siblings.
/// </remarks>
public abstract record LayerSpec
{
    private readonly string _name = "";

    /// <summary>Creates a layer description (this assembly only: the layer vocabulary is fixed).</summary>
    /// <param name="name">The layer's module name; see <see cref="Name"/>.</param>
    private protected LayerSpec(string name) => Name = name;

    /// <summary>The module name: letters, digits and <c>_</c>, not starting with a digit, no dot.</summary>
    /// <exception cref="ArgumentException">The name is empty or holds other characters.</exception>
    public string Name
    {
        get => _name;
        init => _name = ValidateName(value);
    }

    /// <summary>A short description of the layer kind and its sizes, used in messages (e.g. <c>Linear 784->300</c>).</summary>
    public abstract string Describe();

    /// <summary>Checks that <paramref name="name"/> can name a TorchSharp module and an ONNX node.</summary>
    internal static string ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool valid = name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        if (!valid)
        {
            throw new ArgumentException(
                $"Layer name '{name}' is not valid: use letters, digits and '_' only, not starting with a digit " +
                "(module names become parameter keys such as 'fc1.weight', so they cannot contain '.').", nameof(name));
        }

        return name;
    }
}

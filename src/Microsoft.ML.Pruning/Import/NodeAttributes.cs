using System.Text;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// The attributes of one node, read with their ONNX defaults. Made with the attribute names the importer implements
/// for the operator: any other attribute on the node is refused, so nothing the model asks for is silently ignored.
/// </summary>
internal sealed class NodeAttributes
{
    private readonly Dictionary<string, AttributeProto> _byName = new(StringComparer.Ordinal);
    private readonly Func<string, ArgumentException> _fail;

    /// <param name="node">The node.</param>
    /// <param name="known">The attribute names the importer implements for this operator.</param>
    /// <param name="fail">Makes the exception for a problem (it names the model and the node).</param>
    /// <exception cref="ArgumentException">An attribute is not one of <paramref name="known"/>, is given twice, or
    /// refers to a function's attribute.</exception>
    public NodeAttributes(NodeProto node, IReadOnlyCollection<string> known, Func<string, ArgumentException> fail)
    {
        _fail = fail;
        foreach (var attribute in node.Attribute)
        {
            if (!known.Contains(attribute.Name))
            {
                string supported = known.Count == 0 ? "it takes none" : "supported: " + string.Join(", ", known.Order(StringComparer.Ordinal));
                throw fail($"has attribute '{attribute.Name}', which the importer does not implement ({supported}).");
            }

            if (attribute.HasRefAttrName)
            {
                throw fail($"has attribute '{attribute.Name}' referring to a function attribute; only plain values are supported.");
            }

            if (!_byName.TryAdd(attribute.Name, attribute))
            {
                throw fail($"has attribute '{attribute.Name}' twice.");
            }
        }
    }

    /// <summary>True when the node sets the attribute.</summary>
    public bool Has(string name) => _byName.ContainsKey(name);

    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback) => Get(name, AttributeProto.Types.AttributeType.Int) is { } a ? a.I : fallback;

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback) => Get(name, AttributeProto.Types.AttributeType.Float) is { } a ? a.F : fallback;

    /// <summary>A list of integers, or null when absent.</summary>
    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    /// <summary>A list of floats, or null when absent.</summary>
    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    /// <summary>A string attribute (UTF-8), or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) =>
        Get(name, AttributeProto.Types.AttributeType.String) is { } a ? Encoding.UTF8.GetString(a.S.Span) : fallback;

    /// <summary>A tensor attribute, or null when absent.</summary>
    public TensorProto? Tensor(string name) => Get(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>A sparse tensor attribute, or null when absent.</summary>
    public SparseTensorProto? SparseTensor(string name) => Get(name, AttributeProto.Types.AttributeType.SparseTensor)?.SparseTensor;

    /// <summary>The names of the attributes the node sets.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        if (!_byName.TryGetValue(name, out var attribute))
        {
            return null;
        }

        // Writers that predate the type field leave it unset; the value field then tells.
        if (attribute.Type != type && attribute.Type != AttributeProto.Types.AttributeType.Undefined)
        {
            throw _fail($"has attribute '{name}' of type {attribute.Type}; expected {type}.");
        }

        return attribute;
    }
}

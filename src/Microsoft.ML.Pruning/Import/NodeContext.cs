using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// What compiling one node needs: its attributes, where each input comes from, the slots its outputs go to, and the
/// values of constant inputs. Every problem it reports names the model and the node.
/// </summary>
internal sealed class NodeContext
{
    private readonly Func<int, ValueRef> _input;
    private readonly Func<string, ConstantValue?> _constant;
    private readonly Func<string, int> _slot;
    private readonly Func<string, bool> _used;

    public NodeContext(
        string model, NodeProto node, int index, long opset, int layer,
        Func<int, ValueRef> input, Func<string, ConstantValue?> constant, Func<string, int> slot, Func<string, bool> used)
    {
        Model = model;
        Node = node;
        Index = index;
        Opset = opset;
        Layer = layer;
        _input = input;
        _constant = constant;
        _slot = slot;
        _used = used;
    }

    public string Model { get; }

    public NodeProto Node { get; }

    /// <summary>The node's position in the graph.</summary>
    public int Index { get; }

    /// <summary>The model's version of the default operator set.</summary>
    public long Opset { get; }

    /// <summary>For a Gemm, MatMul or Conv node: its index among the prunable layers; -1 otherwise.</summary>
    public int Layer { get; }

    /// <summary>The exception for a problem with this node.</summary>
    public ArgumentException Fail(string problem) => ImportErrors.Node(Model, Node, Index, problem);

    /// <summary>The node's attributes; any attribute not in <paramref name="known"/> is refused.</summary>
    public NodeAttributes Attributes(params string[] known) => new(Node, known, Fail);

    /// <summary>True when input <paramref name="i"/> is given (present and not the empty name of a skipped optional input).</summary>
    public bool Has(int i) => i < Node.Input.Count && Node.Input[i].Length > 0;

    /// <summary>Where input <paramref name="i"/> comes from.</summary>
    public ValueRef Input(int i) => Has(i) ? _input(i) : throw Fail($"needs input {i + 1}, which is missing.");

    /// <summary>Where optional input <paramref name="i"/> comes from, or null when it is not given.</summary>
    public ValueRef? Optional(int i) => Has(i) ? _input(i) : null;

    /// <summary>The value of input <paramref name="i"/>, which must be fixed by the graph (an initializer or a
    /// Constant), or null when the input is not given.</summary>
    public ConstantValue? ConstantInput(int i, string what)
    {
        if (!Has(i))
        {
            return null;
        }

        return _constant(Node.Input[i]) ?? throw Fail($"computes its {what} (input '{Node.Input[i]}') at run time; the importer needs it "
            + "as an initializer or a Constant.");
    }

    /// <summary>The integers of constant input <paramref name="i"/> (axes, flags), or null when the input is not given.</summary>
    public long[]? ConstantIntegers(int i, string what)
    {
        var value = ConstantInput(i, what);
        if (value is { IsFloat: true })
        {
            throw Fail($"has {what} (input '{Node.Input[i]}') of element type float; expected integers.");
        }

        return value?.Longs;
    }

    /// <summary>The value of a constant input if it is one, else null (shape only: e.g. to check a weight).</summary>
    public ConstantValue? ConstantOrNull(int i) => Has(i) ? _constant(Node.Input[i]) : null;

    /// <summary>The slot output <paramref name="i"/> is written to.</summary>
    public int Output(int i = 0) => _slot(Node.Output[i]);

    /// <summary>Refuses a node whose optional outputs (after the first <paramref name="supported"/>) are used.</summary>
    public void RequireOnlyOutputs(int supported, string what)
    {
        for (int i = supported; i < Node.Output.Count; i++)
        {
            if (Node.Output[i].Length > 0 && _used(Node.Output[i]))
            {
                throw Fail($"has its output {i + 1} ('{Node.Output[i]}', {what}) used by the graph; the importer computes only the first output.");
            }
        }
    }
}

using System.Text;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// Decides what each float constant read by a computed node becomes: a prunable weight (Gemm B, MatMul B, Conv W), a
/// trained parameter (Gemm C, Conv B, batch-norm scale and shift, a constant added to a MatMul's output), a batch-norm
/// statistic, or a frozen constant; and registers one tensor per distinct thing, under a TorchSharp-safe unique key.
/// </summary>
/// <remarks>
/// A weight or statistic must be read by exactly one node: training gives it its own value. An Identity of a
/// parameter (PyTorch's exporter writes one where two parameters hold equal values) reads the same parameter, as the
/// graph says; an Identity that makes a weight or statistic gets its own tensor, and export replaces the Identity by
/// an initializer holding it.
/// </remarks>
internal sealed class TensorRoles
{
    private readonly string _model;
    private readonly GraphProto _graph;
    private readonly IReadOnlyDictionary<string, ConstantValue> _constants;
    private readonly IReadOnlyDictionary<string, string> _roots;
    private readonly HashSet<string> _initializers;
    private readonly IReadOnlyDictionary<string, int> _producers;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<(int Node, int Input)>> _consumers;
    private readonly Dictionary<(int Node, int Input), int> _registered = new();
    private readonly Dictionary<string, int> _byIdentity = new(StringComparer.Ordinal);
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<ImportedTensor> _tensors = new();

    public TensorRoles(string model, GraphProto graph, IReadOnlyList<int> executed, IReadOnlyDictionary<string, ConstantValue> constants,
        IReadOnlyDictionary<string, string> roots, HashSet<string> initializers, IReadOnlyDictionary<string, int> producers,
        IReadOnlyDictionary<string, IReadOnlyList<(int Node, int Input)>> consumers, string outputName)
    {
        _model = model;
        _graph = graph;
        _constants = constants;
        _roots = roots;
        _initializers = initializers;
        _producers = producers;
        _consumers = consumers;
        var requests = Requests(executed).ToList();
        var exclusive = requests.Where(r => r.Role is ImportedTensorRole.PrunableWeight or ImportedTensorRole.Statistic)
            .Select(r => Value(r)).ToHashSet(StringComparer.Ordinal);
        foreach (var r in requests.Where(r => r.Role != ImportedTensorRole.Constant))
        {
            Register(r, exclusive, outputName);
        }

        foreach (var r in requests.Where(r => r.Role == ImportedTensorRole.Constant))
        {
            RegisterConstant(r, exclusive);
        }
    }

    /// <summary>The registered tensors, by index.</summary>
    public IReadOnlyList<ImportedTensor> Tensors => _tensors;

    /// <summary>The registered tensor each (node, input) reads.</summary>
    public IReadOnlyDictionary<(int Node, int Input), int> Registered => _registered;

    /// <summary>The registered tensor input <paramref name="input"/> of node <paramref name="node"/> reads, or null.</summary>
    public int? RegisteredIndex(int node, int input) => _registered.TryGetValue((node, input), out int index) ? index : null;

    /// <summary>The bias of a prunable node: Gemm's C or Conv's B when registered, or the constant an Add adds to a
    /// MatMul's output when that Add is the output's only reader.</summary>
    public int? BiasOf(int node, NodeProto proto)
    {
        if (proto.OpType != "MatMul")
        {
            return RegisteredIndex(node, 2) is { } b && _tensors[b].Role == ImportedTensorRole.Parameter ? b : null;
        }

        if (_consumers.TryGetValue(proto.Output[0], out var readers) && readers.Count == 1 && _graph.Node[readers[0].Node].OpType == "Add")
        {
            var (add, input) = readers[0];
            return RegisteredIndex(add, 1 - input) is { } b && _tensors[b].Role == ImportedTensorRole.Parameter ? b : null;
        }

        return null;
    }

    private string Value((int Node, int Input, ImportedTensorRole Role) r) => _graph.Node[r.Node].Input[r.Input];

    /// <summary>What each float constant input of a computed node is asked to be.</summary>
    private IEnumerable<(int Node, int Input, ImportedTensorRole Role)> Requests(IReadOnlyList<int> executed)
    {
        var executedSet = executed.ToHashSet();
        foreach (int i in executed)
        {
            var node = _graph.Node[i];
            for (int k = 0; k < node.Input.Count; k++)
            {
                string value = node.Input[k];
                if (value.Length == 0 || ReadAtCompileTime(node.OpType, k))
                {
                    continue;
                }

                var role = RoleOf(node, i, k, executedSet);
                bool constant = _constants.TryGetValue(value, out var c);
                if (role is ImportedTensorRole.PrunableWeight or ImportedTensorRole.Statistic && !constant)
                {
                    string what = role == ImportedTensorRole.Statistic ? "running statistic" : "weight";
                    throw Fail(node, i, $"computes its {what} (input '{value}') at run time; the importer needs weights and statistics stored "
                        + "as initializers or Constant nodes, so it can train and prune them.");
                }

                if (!constant || (!c!.IsFloat && role == ImportedTensorRole.Constant))
                {
                    continue;
                }

                if (!c.IsFloat)
                {
                    throw Fail(node, i, $"has input '{value}' of element type {ConstantValue.TypeName((int)c.Type)} where a float32 tensor is needed.");
                }

                yield return (i, k, role);
            }
        }
    }

    private ImportedTensorRole RoleOf(NodeProto node, int index, int input, HashSet<int> executed)
    {
        switch (node.OpType, input)
        {
            case ("Gemm" or "MatMul" or "Conv", 0) when _constants.ContainsKey(node.Input[0]):
                throw Fail(node, index, $"takes constant '{node.Input[0]}' as its data input (input 1); the importer runs layers whose data is "
                    + "computed and whose weight (input 2) is constant.");
            case ("Gemm" or "MatMul" or "Conv", 1):
                return ImportedTensorRole.PrunableWeight;
            case ("Gemm" or "Conv", 2):
            case ("BatchNormalization", 1 or 2):
                return ImportedTensorRole.Parameter;
            case ("BatchNormalization", 3 or 4):
                return ImportedTensorRole.Statistic;
            case ("Add", 0 or 1) when _producers.TryGetValue(node.Input[1 - input], out int other) && executed.Contains(other)
                && _graph.Node[other].OpType == "MatMul" && _constants.ContainsKey(node.Input[input]):
                return ImportedTensorRole.Parameter; // Linear layers exported as MatMul + Add: the bias
            default:
                return ImportedTensorRole.Constant;
        }
    }

    /// <summary>Inputs read once when the node is compiled (float scalars), never registered.</summary>
    private static bool ReadAtCompileTime(string opType, int input) => (opType, input) is ("Clip", 1 or 2) or ("Dropout", 1 or 2);

    private void Register((int Node, int Input, ImportedTensorRole Role) r, HashSet<string> exclusive, string outputName)
    {
        var node = _graph.Node[r.Node];
        string value = Value(r);
        string root = _roots[value];
        string stored = value;
        if (r.Role is ImportedTensorRole.PrunableWeight or ImportedTensorRole.Statistic)
        {
            int readers = _consumers[value].Count;
            if (readers != 1 || value == outputName)
            {
                string what = r.Role == ImportedTensorRole.Statistic ? "running statistic" : "weight";
                throw Fail(node, r.Node, $"reads {what} '{value}', which {readers - 1} other node(s) read too; a {what} must belong to one node "
                    + "(shared weights are not supported).");
            }
        }
        else if (value != root && !exclusive.Contains(root) && !exclusive.Contains(value))
        {
            stored = root; // an Identity of a parameter: the same parameter
        }
        else if (exclusive.Contains(value))
        {
            throw Fail(node, r.Node, $"reads '{value}' as a trained parameter, but another node reads it as a weight or statistic.");
        }

        string identity = $"{r.Role}:{stored}";
        if (!_byIdentity.TryGetValue(identity, out int index))
        {
            foreach (var role in new[] { ImportedTensorRole.PrunableWeight, ImportedTensorRole.Parameter, ImportedTensorRole.Statistic })
            {
                if (role != r.Role && _byIdentity.ContainsKey($"{role}:{stored}"))
                {
                    throw Fail(node, r.Node, $"reads '{stored}' as {Describe(r.Role)}, but another node reads it as {Describe(role)}.");
                }
            }

            bool transposed = r.Role == ImportedTensorRole.PrunableWeight && IsTransposed(node);
            index = Add(stored, r.Role, transposed);
        }

        _registered[(r.Node, r.Input)] = index;
    }

    /// <summary>A frozen float constant: the parameter it is (or is an Identity of), else a buffer shared by value.</summary>
    private void RegisterConstant((int Node, int Input, ImportedTensorRole Role) r, HashSet<string> exclusive)
    {
        string value = Value(r);
        string root = _roots[value];
        foreach (string candidate in new[] { value, root })
        {
            if (_byIdentity.TryGetValue($"{ImportedTensorRole.Parameter}:{candidate}", out int parameter))
            {
                _registered[(r.Node, r.Input)] = parameter;
                return;
            }
        }

        if (exclusive.Contains(value) || exclusive.Contains(root))
        {
            throw Fail(_graph.Node[r.Node], r.Node, $"reads '{value}' as a constant operand, but it is also a weight or statistic that training changes.");
        }

        string identity = $"{ImportedTensorRole.Constant}:{root}";
        if (!_byIdentity.TryGetValue(identity, out int index))
        {
            index = Add(root, ImportedTensorRole.Constant, transposed: false);
        }

        _registered[(r.Node, r.Input)] = index;
    }

    private int Add(string value, ImportedTensorRole role, bool transposed)
    {
        var producer = _initializers.Contains(value) ? null : _graph.Node[_producers[value]];
        var tensor = new ImportedTensor(UniqueKey(value), value, role, _constants[value], transposed, producer);
        if (transposed && tensor.Value.Shape.Length != 2)
        {
            throw new InvalidOperationException($"Weight '{value}' cannot be transposed: it is not a matrix.");
        }

        _tensors.Add(tensor);
        _byIdentity[$"{role}:{value}"] = _tensors.Count - 1;
        return _tensors.Count - 1;
    }

    /// <summary>Gemm with transB = 0 and MatMul hold the weight [in, out]; the network stores [out, in].</summary>
    private bool IsTransposed(NodeProto node)
    {
        var shape = _constants[node.Input[1]].Shape;
        int expected = node.OpType == "Conv" ? 4 : 2;
        if (shape.Length != expected)
        {
            int index = _graph.Node.IndexOf(node);
            throw Fail(node, index, node.OpType == "Conv"
                ? $"has a weight of rank {shape.Length} [{string.Join(", ", shape)}]; the importer runs 2-D convolutions (weights [out, in/groups, kh, kw])."
                : $"has a weight of rank {shape.Length} [{string.Join(", ", shape)}]; the importer needs a matrix [in, out] or [out, in].");
        }

        return node.OpType switch
        {
            "MatMul" => true,
            "Gemm" => !node.Attribute.Any(a => a.Name == "transB" && a.I != 0),
            _ => false,
        };
    }

    /// <summary>The value's name with every character a TorchSharp key cannot hold (a dot, among others) replaced by
    /// '_', made unique with a numeric suffix.</summary>
    private string UniqueKey(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (char ch in value)
        {
            text.Append(char.IsAsciiLetterOrDigit(ch) || ch == '_' ? ch : '_');
        }

        string key = text.Length == 0 ? "_" : text.ToString();
        string candidate = key;
        for (int k = 2; !_keys.Add(candidate); k++)
        {
            candidate = $"{key}_{k}";
        }

        return candidate;
    }

    private static string Describe(ImportedTensorRole role) => role switch
    {
        ImportedTensorRole.PrunableWeight => "a prunable weight",
        ImportedTensorRole.Parameter => "a trained parameter",
        ImportedTensorRole.Statistic => "a running statistic",
        _ => "a constant",
    };

    private ArgumentException Fail(NodeProto node, int index, string problem) => ImportErrors.Node(_model, node, index, problem);
}

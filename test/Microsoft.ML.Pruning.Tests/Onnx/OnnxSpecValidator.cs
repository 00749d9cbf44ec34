using System.Buffers.Binary;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>
/// The structural and type rules of the ONNX checker (<c>onnx.checker.check_model(m, full_check=True)</c>) that a
/// writer of this library can break, checked in C# so that CI needs no Python: names, single assignment, topological
/// order, well-formed dense and sparse tensors, <c>Constant</c> nodes with exactly one value, and no value typed
/// <c>sparse_tensor</c> (a sparse initializer) read by a node — no standard operator takes one.
/// </summary>
/// <remarks>Not the whole checker: operator schemas (attribute names, input counts) and shape inference are left to it
/// and to ONNX Runtime, which the parity tests run on every file.</remarks>
internal static class OnnxSpecValidator
{
    private static readonly HashSet<string> ConstantValueAttributes = new(StringComparer.Ordinal)
    {
        "value", "sparse_value", "value_int", "value_ints", "value_float", "value_floats", "value_string", "value_strings",
    };

    /// <summary>Every rule the model breaks, one line each; empty when it breaks none.</summary>
    public static IReadOnlyList<string> Problems(ModelProto model)
    {
        var problems = new List<string>();
        if (model.IrVersion <= 0)
        {
            problems.Add("model: no ir_version");
        }

        var defaultOpset = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (defaultOpset <= 0)
        {
            problems.Add("model: no opset_import for the default domain");
        }

        if (model.Graph is null)
        {
            problems.Add("model: no graph");
            return problems;
        }

        CheckGraph(model.Graph, defaultOpset, problems);
        return problems;
    }

    /// <summary>Fails the test with every problem listed.</summary>
    public static void AssertValid(ModelProto model, string what)
    {
        var problems = Problems(model);
        Assert.True(problems.Count == 0, $"{what}: {problems.Count} problem(s):\n" + string.Join("\n", problems.Take(20)));
    }

    private static void CheckGraph(GraphProto graph, long opset, List<string> problems)
    {
        if (graph.Name.Length == 0)
        {
            problems.Add("graph: no name");
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            CheckValueInfo(input, "graph input", problems);
            if (!defined.Add(input.Name))
            {
                problems.Add($"graph input '{input.Name}' is listed twice");
            }
        }

        foreach (var output in graph.Output)
        {
            CheckValueInfo(output, "graph output", problems);
        }

        var initializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            if (tensor.Name.Length == 0)
            {
                problems.Add("initializer without a name");
            }
            else if (!initializers.Add(tensor.Name))
            {
                problems.Add($"initializer name '{tensor.Name}' is not unique");
            }

            CheckTensor(tensor, $"initializer '{tensor.Name}'", problems);
            defined.Add(tensor.Name); // may share a name with a graph input (IR >= 4)
        }

        var sparseValues = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sparse in graph.SparseInitializer)
        {
            string name = sparse.Values?.Name ?? "";
            if (name.Length == 0)
            {
                problems.Add("sparse initializer without a name");
            }
            else if (!initializers.Add(name))
            {
                problems.Add($"sparse initializer name '{name}' is not unique across initializers and sparse initializers");
            }

            CheckSparseTensor(sparse, $"sparse initializer '{name}'", problems);
            defined.Add(name);
            sparseValues.Add(name);
        }

        foreach (var node in graph.Node)
        {
            CheckNode(node, defined, sparseValues, opset, problems);
        }

        foreach (var output in graph.Output.Where(o => !defined.Contains(o.Name)))
        {
            problems.Add($"graph output '{output.Name}' is produced by no node, input or initializer");
        }
    }

    private static void CheckNode(NodeProto node, HashSet<string> defined, HashSet<string> sparseValues, long opset, List<string> problems)
    {
        string where = $"node '{node.Name}' ({node.OpType})";
        if (node.OpType.Length == 0)
        {
            problems.Add($"node '{node.Name}': no op_type");
        }

        if (node.Input.Count == 0 && node.Output.Count == 0)
        {
            problems.Add($"{where}: no input and no output");
        }

        foreach (var input in node.Input.Where(i => i.Length > 0))
        {
            if (!defined.Contains(input))
            {
                problems.Add($"{where}: input '{input}' is not a graph input, an initializer or the output of an earlier node (nodes must be topologically sorted)");
            }
            else if (sparseValues.Contains(input))
            {
                problems.Add($"{where}: input '{input}' is a sparse initializer, typed sparse_tensor, which no standard operator takes");
            }
        }

        foreach (var attribute in node.Attribute)
        {
            CheckAttribute(attribute, where, problems);
        }

        if (node.OpType == "Constant" && node.Domain.Length == 0)
        {
            CheckConstant(node, where, opset, problems);
        }

        foreach (var output in node.Output.Where(o => o.Length > 0))
        {
            if (!defined.Add(output))
            {
                problems.Add($"{where}: output '{output}' is assigned more than once (graphs are in single static assignment form)");
            }
        }
    }

    private static void CheckConstant(NodeProto node, string where, long opset, List<string> problems)
    {
        if (node.Input.Count != 0 || node.Output.Count != 1)
        {
            problems.Add($"{where}: a Constant takes no input and has exactly one output");
        }

        var values = node.Attribute.Where(a => ConstantValueAttributes.Contains(a.Name)).ToList();
        if (values.Count != 1 || node.Attribute.Count != 1)
        {
            problems.Add($"{where}: a Constant has exactly one attribute, one of value, sparse_value or value_* (has {string.Join(", ", node.Attribute.Select(a => a.Name))})");
            return;
        }

        var value = values[0];
        var expected = value.Name switch
        {
            "value" => AttributeProto.Types.AttributeType.Tensor,
            "sparse_value" => AttributeProto.Types.AttributeType.SparseTensor,
            "value_int" => AttributeProto.Types.AttributeType.Int,
            "value_ints" => AttributeProto.Types.AttributeType.Ints,
            "value_float" => AttributeProto.Types.AttributeType.Float,
            "value_floats" => AttributeProto.Types.AttributeType.Floats,
            "value_string" => AttributeProto.Types.AttributeType.String,
            _ => AttributeProto.Types.AttributeType.Strings,
        };
        if (value.Type != expected)
        {
            problems.Add($"{where}: attribute '{value.Name}' must be of type {expected}, is {value.Type}");
        }

        if (value.Name == "sparse_value" && opset < 11)
        {
            problems.Add($"{where}: Constant's sparse_value needs opset 11 or later (the model imports {opset})");
        }
    }

    private static void CheckAttribute(AttributeProto attribute, string where, List<string> problems)
    {
        string what = $"{where}, attribute '{attribute.Name}'";
        if (attribute.Name.Length == 0)
        {
            problems.Add($"{where}: an attribute without a name");
        }

        if (!attribute.HasType || attribute.Type == AttributeProto.Types.AttributeType.Undefined)
        {
            problems.Add($"{what}: no type");
        }

        var used = new List<AttributeProto.Types.AttributeType>();
        if (attribute.HasF) used.Add(AttributeProto.Types.AttributeType.Float);
        if (attribute.HasI) used.Add(AttributeProto.Types.AttributeType.Int);
        if (attribute.HasS) used.Add(AttributeProto.Types.AttributeType.String);
        if (attribute.T is not null) used.Add(AttributeProto.Types.AttributeType.Tensor);
        if (attribute.SparseTensor is not null) used.Add(AttributeProto.Types.AttributeType.SparseTensor);
        if (attribute.Floats.Count > 0) used.Add(AttributeProto.Types.AttributeType.Floats);
        if (attribute.Ints.Count > 0) used.Add(AttributeProto.Types.AttributeType.Ints);
        if (attribute.Strings.Count > 0) used.Add(AttributeProto.Types.AttributeType.Strings);
        if (attribute.Tensors.Count > 0) used.Add(AttributeProto.Types.AttributeType.Tensors);
        if (attribute.SparseTensors.Count > 0) used.Add(AttributeProto.Types.AttributeType.SparseTensors);
        if (used.Count > 1)
        {
            problems.Add($"{what}: more than one value field ({string.Join(", ", used)})");
        }
        else if (used.Count == 1 && used[0] != attribute.Type)
        {
            problems.Add($"{what}: type {attribute.Type} but the value is in the {used[0]} field");
        }

        if (attribute.T is { } tensor)
        {
            CheckTensor(tensor, what, problems);
        }

        if (attribute.SparseTensor is { } sparse)
        {
            CheckSparseTensor(sparse, what, problems);
        }
    }

    private static void CheckValueInfo(ValueInfoProto value, string kind, List<string> problems)
    {
        if (value.Name.Length == 0)
        {
            problems.Add($"{kind} without a name");
        }

        if (value.Type?.TensorType is not { } tensor || tensor.ElemType == 0)
        {
            problems.Add($"{kind} '{value.Name}': no tensor type with an element type");
        }
    }

    /// <summary>A dense tensor: known element type, exactly one data field (none for no elements), as many bytes as elements.</summary>
    private static void CheckTensor(TensorProto tensor, string what, List<string> problems)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        if (type == TensorProto.Types.DataType.Undefined || !Enum.IsDefined(type))
        {
            problems.Add($"{what}: data type {tensor.DataType} is not a known tensor element type");
            return;
        }

        if (tensor.Dims.Any(d => d < 0))
        {
            problems.Add($"{what}: negative dimension in [{string.Join(", ", tensor.Dims)}]");
            return;
        }

        long elements = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        int fields = (tensor.RawData.Length > 0 ? 1 : 0) + (tensor.FloatData.Count > 0 ? 1 : 0) + (tensor.Int32Data.Count > 0 ? 1 : 0) + (tensor.Int64Data.Count > 0 ? 1 : 0);
        if (elements == 0 && fields != 0)
        {
            problems.Add($"{what}: has no elements but holds data");
        }
        else if (elements != 0 && fields != 1)
        {
            problems.Add($"{what}: must hold its data in exactly one field (holds {fields})");
        }
        else if (tensor.RawData.Length > 0 && tensor.RawData.Length != elements * ElementSize(type))
        {
            problems.Add($"{what}: raw_data has {tensor.RawData.Length} bytes, [{string.Join(", ", tensor.Dims)}] {type} needs {elements * ElementSize(type)}");
        }
        else if ((tensor.FloatData.Count > 0 && tensor.FloatData.Count != elements) || (tensor.Int64Data.Count > 0 && tensor.Int64Data.Count != elements))
        {
            problems.Add($"{what}: the number of values does not match [{string.Join(", ", tensor.Dims)}]");
        }
    }

    /// <summary>A sparse tensor: values [NNZ], a dense shape of rank 1 or more with positive dimensions, int64 indices
    /// [NNZ] (linear) or [NNZ, rank], in range and strictly ascending.</summary>
    private static void CheckSparseTensor(SparseTensorProto sparse, string what, List<string> problems)
    {
        if (sparse.Values is not { } values)
        {
            problems.Add($"{what}: sparse tensor without values");
            return;
        }

        CheckTensor(values, what + " values", problems);
        if (values.Dims.Count != 1)
        {
            problems.Add($"{what}: sparse values must have rank 1 [NNZ]");
            return;
        }

        long nnz = values.Dims[0];
        if (sparse.Dims.Count == 0 || sparse.Dims.Any(d => d <= 0))
        {
            problems.Add($"{what}: the dense shape [{string.Join(", ", sparse.Dims)}] must have rank 1 or more and positive dimensions");
            return;
        }

        if (sparse.Indices is not { } indices)
        {
            if (nnz != 0)
            {
                problems.Add($"{what}: {nnz} values but no indices");
            }

            return;
        }

        CheckTensor(indices, what + " indices", problems);
        if (indices.DataType != (int)TensorProto.Types.DataType.Int64)
        {
            problems.Add($"{what}: indices must be int64");
            return;
        }

        long rank = sparse.Dims.Count;
        bool linear = indices.Dims.Count == 1;
        if (!(linear && indices.Dims[0] == nnz) && !(indices.Dims.Count == 2 && indices.Dims[0] == nnz && indices.Dims[1] == rank))
        {
            problems.Add($"{what}: indices [{string.Join(", ", indices.Dims)}] must be [NNZ] or [NNZ, {rank}] with NNZ = {nnz}");
            return;
        }

        long[] index = Int64Values(indices);
        long size = sparse.Dims.Aggregate(1L, (a, d) => a * d);
        long previous = -1;
        for (long i = 0; i < nnz; i++)
        {
            long position = 0;
            if (linear)
            {
                position = index[i];
            }
            else
            {
                for (int j = 0; j < rank; j++)
                {
                    long coordinate = index[i * rank + j];
                    position = coordinate < 0 || coordinate >= sparse.Dims[j] ? -1 : position * sparse.Dims[j] + coordinate;
                    if (position < 0)
                    {
                        break;
                    }
                }
            }

            if (position < 0 || position >= size)
            {
                problems.Add($"{what}: index at position {i} is out of range");
                return;
            }

            if (position <= previous)
            {
                problems.Add($"{what}: index at position {i} is not in ascending order");
                return;
            }

            previous = position;
        }
    }

    private static long[] Int64Values(TensorProto tensor)
    {
        if (tensor.Int64Data.Count > 0)
        {
            return tensor.Int64Data.ToArray();
        }

        var raw = tensor.RawData.Span;
        var values = new long[raw.Length / sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * sizeof(long))..]);
        }

        return values;
    }

    private static int ElementSize(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16 => 2,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        _ => 4,
    };
}

using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// What an ONNX file holds, read without ONNX Runtime: versions, graph inputs and outputs, every stored tensor
/// (initializers and <c>Constant</c> tensors) with its storage and non-zeros, the sparsity of the Linear/Conv weights, and the metadata (see <see cref="OnnxMetadataKeys"/>).
/// </summary>
public sealed record OnnxModelInfo
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    /// <summary>Size of the file (or byte array) in bytes.</summary>
    public long FileBytes { get; init; }

    /// <summary>The ONNX IR version.</summary>
    public long IrVersion { get; init; }

    /// <summary>Operator sets by domain ("ai.onnx" for the default domain) and version.</summary>
    public IReadOnlyDictionary<string, long> Opsets { get; init; } = new Dictionary<string, long>();

    /// <summary>The model's producer name.</summary>
    public string ProducerName { get; init; } = "";

    /// <summary>The model's producer version.</summary>
    public string ProducerVersion { get; init; } = "";

    /// <summary>The graph inputs that are not initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; init; } = Array.Empty<OnnxValueInfo>();

    /// <summary>The graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; init; } = Array.Empty<OnnxValueInfo>();

    /// <summary>
    /// Every stored tensor, in file order within each kind: dense initializers, sparse initializers, then the tensors of
    /// <c>Constant</c> nodes (<c>value</c> or <c>sparse_value</c>, the way <see cref="OnnxStorage.Sparse"/> stores a
    /// weight); <see cref="OnnxInitializerInfo.Storage"/> says which.
    /// </summary>
    public IReadOnlyList<OnnxInitializerInfo> Initializers { get; init; } = Array.Empty<OnnxInitializerInfo>();

    /// <summary>How many nodes of each operator the graph has, in order of first use (e.g. <c>Conv: 2, Relu: 3</c>).</summary>
    public IReadOnlyDictionary<string, int> Operators { get; init; } = new Dictionary<string, int>();

    /// <summary>All <c>metadata_props</c>, in file order (a key written twice keeps its last value).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Entries of the Linear/Conv weights (<see cref="OnnxInitializerInfo.IsPrunableWeight"/>).</summary>
    public long PrunableWeightCount => Initializers.Where(i => i.IsPrunableWeight).Sum(i => i.ElementCount);

    /// <summary>Non-zero entries of the Linear/Conv weights.</summary>
    public long PrunableNonZeros => Initializers.Where(i => i.IsPrunableWeight).Sum(i => i.NonZeros);

    /// <summary>Fraction of the Linear/Conv weights that are zero (0 when there are none).</summary>
    public double Sparsity => PrunableWeightCount == 0 ? 0 : 1 - (double)PrunableNonZeros / PrunableWeightCount;

    /// <summary>Serialises to indented JSON with camelCase names (computed totals included).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the ONNX file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxModelInfo Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path} is a folder, not an ONNX file.", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file: {path}", path);
        }

        try
        {
            return FromBytes(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads an ONNX model from its serialised bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static OnnxModelInfo FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not an ONNX model ({e.Message})", e);
        }

        // Protobuf parses many byte strings without complaint; a model has at least an IR version and a graph.
        if (model.IrVersion <= 0 || model.Graph is null)
        {
            throw new InvalidDataException("not an ONNX model (no IR version or no graph)");
        }

        var graph = model.Graph;
        var weights = graph.Node
            .Where(n => n.OpType is "Gemm" or "MatMul" or "Conv" && n.Input.Count > 1)
            .Select(n => n.Input[1])
            .ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.Select(t => Dense(t, t.Name, weights.Contains(t.Name)))
            .Concat(graph.SparseInitializer.Select(s => Sparse(s, s.Values?.Name ?? "", weights.Contains(s.Values?.Name ?? ""))))
            .Concat(graph.Node.Where(IsTensorConstant).Select(n => Constant(n, weights.Contains(n.Output[0]))))
            .ToList();
        var initializerNames = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(t => t.Values?.Name ?? ""))
            .ToHashSet(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }

        var operators = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            string op = node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";
            operators[op] = operators.GetValueOrDefault(op) + 1;
        }

        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            opsets[opset.Domain.Length == 0 ? "ai.onnx" : opset.Domain] = opset.Version;
        }

        return new OnnxModelInfo
        {
            FileBytes = bytes.LongLength,
            IrVersion = model.IrVersion,
            Opsets = opsets,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            // Older models list initializers among the inputs too; those are not inputs a caller feeds.
            Inputs = graph.Input.Where(v => !initializerNames.Contains(v.Name)).Select(Value).ToList(),
            Outputs = graph.Output.Select(Value).ToList(),
            Initializers = initializers,
            Operators = operators,
            Metadata = metadata,
        };
    }

    private static OnnxValueInfo Value(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        var shape = tensor?.Shape?.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        }).ToList() ?? new List<string>();
        return new OnnxValueInfo(value.Name, tensor is null ? "unknown" : TypeName(tensor.ElemType), shape);
    }

    private static OnnxInitializerInfo Dense(TensorProto t, string name, bool weight)
    {
        long count = ElementCount(t.Dims);
        return new OnnxInitializerInfo(name, TypeName(t.DataType), t.Dims.ToList(), count, Sparse: false, NonZeros(t), t.CalculateSize(), weight);
    }

    private static OnnxInitializerInfo Sparse(SparseTensorProto s, string name, bool weight)
    {
        var values = s.Values ?? new TensorProto();
        return new OnnxInitializerInfo(name, TypeName(values.DataType), s.Dims.ToList(), ElementCount(s.Dims), Sparse: true,
            NonZeros(values), s.CalculateSize(), weight);
    }

    /// <summary>A <c>Constant</c> node of the default domain that holds a tensor (<c>value</c> or <c>sparse_value</c>),
    /// not one of the scalar or list forms (<c>value_float</c>, <c>value_ints</c>, ...).</summary>
    internal static bool IsTensorConstant(NodeProto node) =>
        node.OpType == "Constant" && node.Domain.Length == 0 && node.Output.Count == 1 && node.Attribute.Count == 1
        && ((node.Attribute[0].Name == "value" && node.Attribute[0].T is not null)
            || (node.Attribute[0].Name == "sparse_value" && node.Attribute[0].SparseTensor is not null));

    private static OnnxInitializerInfo Constant(NodeProto node, bool weight)
    {
        var attribute = node.Attribute[0];
        return attribute.SparseTensor is { } sparse
            ? Sparse(sparse, node.Output[0], weight) with { Storage = OnnxTensorStorage.SparseConstant }
            : Dense(attribute.T, node.Output[0], weight) with { Storage = OnnxTensorStorage.Constant };
    }

    private static long ElementCount(IEnumerable<long> dims) => dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>Counts non-zero entries from whichever field holds the data (raw_data or a typed field).</summary>
    private static long NonZeros(TensorProto t)
    {
        if (t.FloatData.Count > 0)
        {
            return t.FloatData.LongCount(v => v != 0f);
        }

        if (t.Int32Data.Count > 0)
        {
            return t.Int32Data.LongCount(v => v != 0);
        }

        if (t.Int64Data.Count > 0)
        {
            return t.Int64Data.LongCount(v => v != 0);
        }

        var raw = t.RawData.Span;
        if ((TensorProto.Types.DataType)t.DataType == TensorProto.Types.DataType.Float)
        {
            long n = 0;
            for (int i = 0; i + sizeof(float) <= raw.Length; i += sizeof(float))
            {
                n += BinaryPrimitives.ReadSingleLittleEndian(raw[i..]) != 0f ? 1 : 0; // -0 counts as zero
            }

            return n;
        }

        // Other types: an entry is non-zero when any of its bytes is.
        int size = ElementSize(t.DataType);
        long nonZero = 0;
        for (int i = 0; i + size <= raw.Length; i += size)
        {
            nonZero += raw.Slice(i, size).ContainsAnyExcept((byte)0) ? 1 : 0;
        }

        return nonZero;
    }

    private static int ElementSize(int type) => (TensorProto.Types.DataType)type switch
    {
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16 => 2,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        _ => 4,
    };

    private static string TypeName(int type) => Enum.IsDefined((TensorProto.Types.DataType)type)
        ? ((TensorProto.Types.DataType)type).ToString().ToLowerInvariant()
        : "unknown";
}

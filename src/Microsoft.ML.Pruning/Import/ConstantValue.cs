using System.Buffers.Binary;
using Microsoft.ML.Pruning.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// A tensor whose value the graph fixes (an initializer, a <c>Constant</c> node's value): its shape and its elements,
/// decoded once at import. Float tensors keep float32 values; int64, int32 and bool ones keep int64 values.
/// </summary>
internal sealed class ConstantValue
{
    private ConstantValue(long[] shape, float[]? floats, long[]? longs, TensorProto.Types.DataType type)
    {
        Shape = shape;
        Floats = floats;
        Longs = longs;
        Type = type;
    }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public long[] Shape { get; }

    /// <summary>The element type as stored in the model.</summary>
    public TensorProto.Types.DataType Type { get; }

    /// <summary>The elements of a float tensor, row-major; null for integer and bool tensors.</summary>
    public float[]? Floats { get; }

    /// <summary>The elements of an int64, int32 or bool tensor, row-major; null for float tensors.</summary>
    public long[]? Longs { get; }

    /// <summary>True for float32 tensors.</summary>
    public bool IsFloat => Floats is not null;

    /// <summary>The number of elements.</summary>
    public long Count => Floats?.LongLength ?? Longs!.LongLength;

    /// <summary>A float tensor.</summary>
    public static ConstantValue Float(long[] shape, float[] values) => new(shape, values, null, TensorProto.Types.DataType.Float);

    /// <summary>An int64 tensor.</summary>
    public static ConstantValue Int64(long[] shape, long[] values) => new(shape, null, values, TensorProto.Types.DataType.Int64);

    /// <summary>A new TorchSharp tensor with this value (float32, int64 or bool), on the CPU.</summary>
    public Tensor ToTensor() => Type switch
    {
        TensorProto.Types.DataType.Float => torch.tensor(Floats!, Shape),
        TensorProto.Types.DataType.Bool => torch.tensor(Longs!, Shape).to(ScalarType.Bool),
        TensorProto.Types.DataType.Int32 => torch.tensor(Longs!, Shape).to(ScalarType.Int32),
        _ => torch.tensor(Longs!, Shape),
    };

    /// <summary>Decodes a dense tensor message.</summary>
    /// <param name="tensor">The message.</param>
    /// <param name="what">Names the tensor in messages (e.g. "initializer 'fc1.weight'").</param>
    /// <exception cref="ArgumentException">An element type other than float32, int64, int32 or bool; data stored
    /// outside the model; or a data size that does not fit the dimensions.</exception>
    public static ConstantValue Read(TensorProto tensor, string what)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            throw new ArgumentException($"{what} keeps its data in an external file; import a model with its weights inside it "
                + "(onnx.save_model(model, path, save_as_external_data=False)).");
        }

        var shape = tensor.Dims.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"{what} has a negative dimension [{string.Join(", ", shape)}].");
        }

        long count = shape.Aggregate(1L, (a, d) => a * d);
        var type = (TensorProto.Types.DataType)tensor.DataType;
        var raw = tensor.RawData.Span;
        var value = type switch
        {
            TensorProto.Types.DataType.Float => Float(shape, tensor.RawData.Length > 0 ? RawFloats(raw) : tensor.FloatData.ToArray()),
            TensorProto.Types.DataType.Int64 => Int64(shape, tensor.RawData.Length > 0 ? RawLongs(raw, 8) : tensor.Int64Data.ToArray()),
            TensorProto.Types.DataType.Int32 => new ConstantValue(shape, null,
                tensor.RawData.Length > 0 ? RawLongs(raw, 4) : tensor.Int32Data.Select(v => (long)v).ToArray(), type),
            TensorProto.Types.DataType.Bool => new ConstantValue(shape, null,
                tensor.RawData.Length > 0 ? RawLongs(raw, 1) : tensor.Int32Data.Select(v => (long)v).ToArray(), type),
            _ => throw new ArgumentException($"{what} has element type {TypeName(tensor.DataType)}; the importer takes float32 tensors "
                + "(and int64, int32 or bool ones for shapes, indices and flags)."),
        };
        if (value.Count != count)
        {
            throw new ArgumentException($"{what} holds {value.Count} values but its dimensions [{string.Join(", ", shape)}] need {count}.");
        }

        return value;
    }

    /// <summary>Decodes a sparse tensor message (float values; linear or coordinate indices) into a dense value.</summary>
    public static ConstantValue ReadSparse(SparseTensorProto sparse, string what)
    {
        var shape = sparse.Dims.ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var values = Read(sparse.Values ?? throw new ArgumentException($"{what} has no values."), what);
        var indices = Read(sparse.Indices ?? throw new ArgumentException($"{what} has no indices."), what + " (indices)");
        if (!values.IsFloat || indices.IsFloat)
        {
            throw new ArgumentException($"{what} must hold float32 values with integer indices.");
        }

        long nonZero = values.Count;
        var linear = indices.Longs!;
        var dense = new float[count];
        bool coordinates = indices.Shape.Length == 2;
        for (long k = 0; k < nonZero; k++)
        {
            long index = coordinates ? Linear(linear, k, shape) : linear[k];
            if (index < 0 || index >= count)
            {
                throw new ArgumentException($"{what} has index {index} outside its {count} elements.");
            }

            dense[index] = values.Floats![k];
        }

        return Float(shape, dense);
    }

    /// <summary>The element type's name for messages (e.g. "double", "float16").</summary>
    public static string TypeName(int type) => Enum.IsDefined((TensorProto.Types.DataType)type)
        ? ((TensorProto.Types.DataType)type).ToString().ToLowerInvariant()
        : $"#{type}";

    private static long Linear(long[] coordinates, long row, long[] shape)
    {
        long index = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            index = index * shape[d] + coordinates[row * shape.Length + d];
        }

        return index;
    }

    private static float[] RawFloats(ReadOnlySpan<byte> raw)
    {
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        return values;
    }

    private static long[] RawLongs(ReadOnlySpan<byte> raw, int size)
    {
        var values = new long[raw.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            var bytes = raw.Slice(i * size, size);
            values[i] = size switch
            {
                8 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
                4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                _ => bytes[0],
            };
        }

        return values;
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>Makes ONNX tensor messages from .NET arrays: dense <c>raw_data</c> tensors and sparse (COO, linear index) tensors.</summary>
internal static class OnnxTensors
{
    /// <summary>Bytes a dense float tensor costs per entry.</summary>
    public const int DenseBytesPerValue = sizeof(float);

    /// <summary>Bytes a sparse float tensor costs per non-zero entry: the value and its int64 linear index.</summary>
    public const int SparseBytesPerNonZero = sizeof(float) + sizeof(long);

    /// <summary>A dense float32 tensor, little-endian in <c>raw_data</c>.</summary>
    public static TensorProto Float(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = LittleEndian(values) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A dense int64 tensor, little-endian in <c>raw_data</c> (name may be empty for a sparse tensor's indices).</summary>
    public static TensorProto Int64(string name, IReadOnlyList<long> dims, ReadOnlySpan<long> values)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, RawData = LittleEndian(values) };
        if (name.Length > 0)
        {
            tensor.Name = name;
        }

        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>The number of entries that are not zero (both signed zeros count as zero; NaN does not).</summary>
    public static long NonZeroCount(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (float v in values)
        {
            if (v != 0f)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// A sparse float32 tensor as the ONNX spec defines it: <c>values</c> [NNZ] named <paramref name="name"/> (the name
    /// the graph refers to), <c>indices</c> [NNZ] int64 linear row-major indices in ascending order, <c>dims</c> the dense
    /// shape. Zeros are dropped; the dense tensor it stands for equals <paramref name="values"/> up to the sign of zero.
    /// </summary>
    public static SparseTensorProto Sparse(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        int nonZero = checked((int)NonZeroCount(values));
        var kept = new float[nonZero];
        var indices = new long[nonZero];
        int k = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != 0f)
            {
                kept[k] = values[i];
                indices[k] = i; // ascending by construction, as the spec requires
                k++;
            }
        }

        var sparse = new SparseTensorProto
        {
            Values = Float(name, new long[] { nonZero }, kept),
            Indices = Int64("", new long[] { nonZero }, indices),
        };
        sparse.Dims.AddRange(dims);
        return sparse;
    }

    private static ByteString LittleEndian(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
            }
        }

        // The array is ours and never changed again: wrap it instead of copying it once more.
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static ByteString LittleEndian(ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
            }
        }

        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}

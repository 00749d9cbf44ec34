using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// Operators that move data without computing on it: Flatten, Reshape, Shape, Gather, Unsqueeze, Squeeze, Concat,
/// Constant. Shapes are int64 tensors on the CPU, so the dynamic flatten of <c>torch.onnx.export</c>
/// (Shape → Gather → Unsqueeze → Concat → Reshape) works for every batch size.
/// </summary>
internal static class ShapeOperators
{
    public static NodeStep Flatten(NodeContext c)
    {
        long axis = c.Attributes("axis").Int("axis", 1);
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            var shape = input.shape;
            long a = axis < 0 ? axis + shape.Length : axis; // in [0, rank]: rank flattens everything into one column
            if (a < 0 || a > shape.Length)
            {
                throw new ArgumentException($"axis {axis} is outside [-{shape.Length}, {shape.Length}].");
            }

            long outer = shape[..(int)a].Aggregate(1L, (p, d) => p * d);
            long inner = shape[(int)a..].Aggregate(1L, (p, d) => p * d);
            f.Set(output, input.reshape(outer, inner));
        };
    }

    /// <summary>Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred.</summary>
    public static NodeStep Reshape(NodeContext c)
    {
        bool allowZero = (c.Opset < 14 ? c.Attributes() : c.Attributes("allowzero")).Int("allowzero", 0) != 0; // allowzero: opset 14
        var x = c.Input(0);
        var shape = c.Input(1);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            var target = Longs(f.Get(shape));
            for (int i = 0; i < target.Length; i++)
            {
                if (target[i] == 0 && !allowZero)
                {
                    target[i] = i < input.dim() ? input.shape[i] : throw new ArgumentException($"shape entry {i} is 0 but the input has rank {input.dim()}.");
                }
            }

            f.Set(output, input.reshape(target));
        };
    }

    public static NodeStep Shape(NodeContext c)
    {
        var a = c.Opset < 15 ? c.Attributes() : c.Attributes("start", "end"); // start and end came with opset 15
        long? start = a.Has("start") ? a.Int("start", 0) : null;
        long? end = a.Has("end") ? a.Int("end", 0) : null;
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var shape = f.Get(x).shape;
            long from = Clamp(start ?? 0, shape.Length), to = Clamp(end ?? shape.Length, shape.Length);
            var dims = shape[(int)from..(int)Math.Max(from, to)];
            f.Set(output, torch.tensor(dims, new long[] { dims.Length }));
        };
    }

    public static NodeStep Gather(NodeContext c)
    {
        long axis = c.Attributes("axis").Int("axis", 0);
        var x = c.Input(0);
        var indices = c.Input(1);
        int output = c.Output();
        return f =>
        {
            var data = f.Get(x);
            var index = f.Get(indices).to(ScalarType.Int64, data.device);
            long a = Axis(axis, data.dim(), "axis");
            long size = data.shape[a];
            // Negative indices count from the end, as in ONNX.
            var flat = index.flatten();
            flat = torch.where(flat < 0, flat + size, flat);
            var picked = data.index_select(a, flat);
            var shape = data.shape[..(int)a].Concat(index.shape).Concat(data.shape[((int)a + 1)..]).ToArray();
            f.Set(output, picked.reshape(shape));
        };
    }

    public static NodeStep Unsqueeze(NodeContext c)
    {
        var axes = Axes(c, required: true)!;
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            long rank = input.dim() + axes.Length;
            foreach (long a in axes.Select(a => Axis(a, rank, "axes")).Order())
            {
                input = input.unsqueeze(a);
            }

            f.Set(output, input);
        };
    }

    public static NodeStep Squeeze(NodeContext c)
    {
        var axes = Axes(c, required: false);
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            long rank = input.dim();
            var squeezed = axes is null
                ? Enumerable.Range(0, (int)rank).Where(i => input.shape[i] == 1).Select(i => (long)i).ToArray()
                : axes.Select(a => Axis(a, rank, "axes")).ToArray();
            foreach (long a in squeezed.OrderDescending())
            {
                if (input.shape[a] != 1)
                {
                    throw new ArgumentException($"cannot squeeze axis {a} of size {input.shape[a]}.");
                }

                input = input.squeeze(a);
            }

            f.Set(output, input);
        };
    }

    public static NodeStep Concat(NodeContext c)
    {
        var a = c.Attributes("axis");
        if (!a.Has("axis"))
        {
            throw c.Fail("has no axis attribute, which Concat requires.");
        }

        long axis = a.Int("axis", 0);
        var inputs = Enumerable.Range(0, c.Node.Input.Count).Select(c.Input).ToArray();
        int output = c.Output();
        return f =>
        {
            var tensors = inputs.Select(f.Get).ToArray();
            f.Set(output, torch.cat(tensors, Axis(axis, tensors[0].dim(), "axis")));
        };
    }

    /// <summary>Transpose: permutes the axes (<c>perm</c>, by default reversed), e.g. NHWC to NCHW.</summary>
    public static NodeStep Transpose(NodeContext c)
    {
        long[]? perm = c.Attributes("perm").Ints("perm");
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            long rank = input.dim();
            var order = perm ?? Enumerable.Range(0, (int)rank).Reverse().Select(i => (long)i).ToArray();
            if (order.Length != rank || order.Order().Where((a, i) => a != i).Any())
            {
                throw new ArgumentException($"perm [{string.Join(", ", order)}] is not a permutation of the {rank} axes.");
            }

            f.Set(output, input.permute(order));
        };
    }

    /// <summary>Cast to float32, int64, int32 or bool.</summary>
    public static NodeStep Cast(NodeContext c)
    {
        var a = c.Opset < 19 ? c.Attributes("to") : c.Attributes("to", "saturate"); // saturate (float8 only): opset 19
        var type = (Onnx.Proto.TensorProto.Types.DataType)a.Int("to", 0);
        ScalarType target = type switch
        {
            Onnx.Proto.TensorProto.Types.DataType.Float => ScalarType.Float32,
            Onnx.Proto.TensorProto.Types.DataType.Int64 => ScalarType.Int64,
            Onnx.Proto.TensorProto.Types.DataType.Int32 => ScalarType.Int32,
            Onnx.Proto.TensorProto.Types.DataType.Bool => ScalarType.Bool,
            _ => throw c.Fail($"casts to {ConstantValue.TypeName((int)type)}; the importer casts to float, int64, int32 or bool."),
        };
        var x = c.Input(0);
        int output = c.Output();
        return f => f.Set(output, f.Get(x).to(target));
    }

    /// <summary>Constant: its value is read at import (see <see cref="GraphAnalyzer"/>); the node computes nothing.</summary>
    public static NodeStep? Constant(NodeContext c) => null;

    /// <summary>Squeeze and Unsqueeze axes: an attribute before opset 13, a constant input from opset 13.</summary>
    private static long[]? Axes(NodeContext c, bool required)
    {
        long[]? axes;
        if (c.Opset < 13)
        {
            axes = c.Attributes("axes").Ints("axes");
            if (c.Has(1))
            {
                throw c.Fail($"has an axes input, which opset {c.Opset} does not define (axes is an attribute before opset 13).");
            }
        }
        else
        {
            c.Attributes();
            axes = c.ConstantIntegers(1, "axes");
        }

        if (required && axes is null)
        {
            throw c.Fail("has no axes, which it requires.");
        }

        return axes;
    }

    private static long[] Longs(Tensor shape)
    {
        // Shapes are small CPU tensors already; the conversion only matters for a shape computed elsewhere.
        return shape.to(ScalarType.Int64, torch.CPU).data<long>().ToArray();
    }

    private static long Axis(long axis, long rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        return a >= 0 && a < rank ? a : throw new ArgumentException($"{what} {axis} is outside rank {rank}.");
    }

    private static long Clamp(long index, long rank) => Math.Clamp(index < 0 ? index + rank : index, 0, rank);
}

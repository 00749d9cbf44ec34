using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>Arithmetic with broadcasting, activations, Clip, Softmax/LogSoftmax, Identity and Dropout.</summary>
internal static class ElementwiseOperators
{
    public static NodeStep Add(NodeContext c) => Binary(c, (x, y) => x + y);

    public static NodeStep Sub(NodeContext c) => Binary(c, (x, y) => x - y);

    public static NodeStep Mul(NodeContext c) => Binary(c, (x, y) => x * y);

    // Integer division truncates toward zero, as ONNX Runtime's does; float division is plain.
    public static NodeStep Div(NodeContext c) => Binary(c, (x, y) => !x.is_floating_point() ? x.div(y, RoundingMode.trunc) : x / y);

    public static NodeStep Relu(NodeContext c) => Unary(c, x => nn.functional.relu(x));

    public static NodeStep Sigmoid(NodeContext c) => Unary(c, x => torch.sigmoid(x));

    public static NodeStep Tanh(NodeContext c) => Unary(c, x => torch.tanh(x));

    public static NodeStep LeakyRelu(NodeContext c)
    {
        double alpha = c.Attributes("alpha").Float("alpha", 0.01f);
        return Unary(c, x => nn.functional.leaky_relu(x, alpha), attributesRead: true);
    }

    /// <summary>Clip (opset 11 and later): optional minimum and maximum as constant scalar inputs.</summary>
    public static NodeStep Clip(NodeContext c)
    {
        c.Attributes();
        float? min = Scalar(c, 1, "minimum"), max = Scalar(c, 2, "maximum");
        return Unary(c, x => min is null && max is null ? x : x.clamp(min, max), attributesRead: true);
    }

    public static NodeStep Softmax(NodeContext c) => SoftmaxLike(c, (x, axis) => nn.functional.softmax(x, axis));

    public static NodeStep LogSoftmax(NodeContext c) => SoftmaxLike(c, (x, axis) => nn.functional.log_softmax(x, axis));

    /// <summary>Identity of a computed value passes the same tensor on; of a constant it computes nothing (the
    /// output is a constant too, read directly by the nodes that use it).</summary>
    public static NodeStep? Identity(NodeContext c)
    {
        c.Attributes();
        if (c.ConstantOrNull(0) is not null)
        {
            return null;
        }

        return Unary(c, x => x, attributesRead: true);
    }

    /// <summary>Dropout: the identity in evaluation mode, dropout with the node's ratio in training mode.</summary>
    public static NodeStep Dropout(NodeContext c)
    {
        double ratio;
        if (c.Opset < 12)
        {
            ratio = c.Attributes("ratio").Float("ratio", 0.5f);
        }
        else
        {
            c.Attributes("seed");
            ratio = Scalar(c, 1, "ratio") ?? 0.5;
            if (c.ConstantIntegers(2, "training mode") is { } mode && mode.Any(v => v != 0))
            {
                throw c.Fail("has training_mode true: dropout would apply when the model scores. The importer takes inference graphs.");
            }
        }

        if (!(ratio >= 0 && ratio < 1))
        {
            throw c.Fail($"has ratio {ratio}; expected a value in [0, 1).");
        }

        c.RequireOnlyOutputs(1, "the dropout mask");
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            f.Set(output, f.Training && ratio > 0 ? nn.functional.dropout(input, ratio, training: true) : input);
        };
    }

    private static NodeStep Binary(NodeContext c, Func<Tensor, Tensor, Tensor> op)
    {
        c.Attributes();
        var a = c.Input(0);
        var b = c.Input(1);
        int output = c.Output();
        return f => f.Set(output, op(f.Get(a), f.Get(b)));
    }

    private static NodeStep Unary(NodeContext c, Func<Tensor, Tensor> op, bool attributesRead = false)
    {
        if (!attributesRead)
        {
            c.Attributes();
        }

        var x = c.Input(0);
        int output = c.Output();
        return f => f.Set(output, op(f.Get(x)));
    }

    /// <summary>Softmax and LogSoftmax: before opset 13 over the input folded to 2-D at the axis (default 1), from
    /// opset 13 along one axis (default the last).</summary>
    private static NodeStep SoftmaxLike(NodeContext c, Func<Tensor, long, Tensor> op)
    {
        bool coerced = c.Opset < 13;
        long axis = c.Attributes("axis").Int("axis", coerced ? 1 : -1);
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            long rank = input.dim();
            long a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank)
            {
                throw new ArgumentException($"axis {axis} is outside an input of rank {rank}.");
            }

            if (!coerced || a == rank - 1)
            {
                f.Set(output, op(input, a));
                return;
            }

            var shape = input.shape;
            var flat = input.reshape(shape[..(int)a].Aggregate(1L, (p, d) => p * d), -1);
            f.Set(output, op(flat, 1).reshape(shape));
        };
    }

    /// <summary>A constant scalar float input (Clip bounds, Dropout ratio), or null when not given.</summary>
    private static float? Scalar(NodeContext c, int input, string what)
    {
        var value = c.ConstantInput(input, what);
        if (value is null)
        {
            return null;
        }

        if (value.Count != 1 || !value.IsFloat)
        {
            throw c.Fail($"has a {what} that is not one float value.");
        }

        return value.Floats![0];
    }
}

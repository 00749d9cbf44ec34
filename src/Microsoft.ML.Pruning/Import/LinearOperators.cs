using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// The operators with prunable weights: Gemm, MatMul, Conv. Their weights are registered in PyTorch's layout, output
/// units on axis 0 (<c>[out, in]</c>, <c>[out, in/groups, kh, kw]</c>), so every one runs as <c>linear</c> or
/// <c>conv2d</c>; each reports its output, before any activation, to the network's observer.
/// </summary>
internal static class LinearOperators
{
    /// <summary>Gemm: <c>alpha * A' B' + beta * C</c> with the optional transposes of A and B.</summary>
    public static NodeStep Gemm(NodeContext c)
    {
        var a = c.Attributes("alpha", "beta", "transA", "transB");
        float alpha = a.Float("alpha", 1f), beta = a.Float("beta", 1f);
        bool transA = a.Int("transA", 0) != 0;
        var x = c.Input(0);
        var weight = c.Input(1);
        var bias = c.Optional(2);
        long outputs = c.ConstantOrNull(1)!.Shape[a.Int("transB", 0) != 0 ? 0 : 1];
        // linear() adds a bias of one value per output unit; other shapes of C broadcast in a separate add.
        bool fused = alpha == 1f && beta == 1f && (bias is null || c.ConstantOrNull(2) is { } cb && cb.Shape.SequenceEqual(new[] { outputs }));
        int output = c.Output();
        int layer = c.Layer;
        return f =>
        {
            var input = f.Get(x);
            if (transA)
            {
                input = input.t();
            }

            Tensor y;
            if (fused)
            {
                y = nn.functional.linear(input, f.Get(weight), f.GetOptional(bias));
            }
            else
            {
                y = nn.functional.linear(input, f.Get(weight));
                if (alpha != 1f)
                {
                    y = y * alpha;
                }

                if (bias is { } b)
                {
                    y = beta == 1f ? y + f.Get(b) : y + f.Get(b) * beta;
                }
            }

            f.Observer?.Invoke(layer, y);
            f.Set(output, y);
        };
    }

    /// <summary>MatMul with a constant second input: <c>A B</c>, run as <c>linear(A, Bᵀ)</c>.</summary>
    public static NodeStep MatMul(NodeContext c)
    {
        c.Attributes();
        var x = c.Input(0);
        var weight = c.Input(1);
        int output = c.Output();
        int layer = c.Layer;
        return f =>
        {
            var y = nn.functional.linear(f.Get(x), f.Get(weight));
            f.Observer?.Invoke(layer, y);
            f.Set(output, y);
        };
    }

    /// <summary>2-D convolution with groups, strides, dilations, explicit or automatic padding.</summary>
    public static NodeStep Conv(NodeContext c)
    {
        var a = c.Attributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        var w = c.ConstantOrNull(1)!;
        var kernel = w.Shape[2..];
        if (a.Ints("kernel_shape") is { } declared && !declared.SequenceEqual(kernel))
        {
            throw c.Fail($"declares kernel_shape [{string.Join(", ", declared)}] but its weight is [{string.Join(", ", w.Shape)}].");
        }

        var window = Window.Read(c, a, kernel, allowDilations: true);
        long groups = a.Int("group", 1);
        if (groups < 1 || w.Shape[0] % groups != 0)
        {
            throw c.Fail($"has group {groups}, which does not divide its {w.Shape[0]} output channels.");
        }

        var x = c.Input(0);
        var weight = c.Input(1);
        var bias = c.Optional(2);
        int output = c.Output();
        int layer = c.Layer;
        return f =>
        {
            var input = f.Get(x);
            var (padded, padding) = window.Pad(input, 0.0, halfKernelAtMost: false);
            var y = nn.functional.conv2d(padded, f.Get(weight), f.GetOptional(bias), window.Strides, padding, window.Dilations, groups);
            f.Observer?.Invoke(layer, y);
            f.Set(output, y);
        };
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>MaxPool, AveragePool and GlobalAveragePool over 2-D windows.</summary>
internal static class PoolingOperators
{
    public static NodeStep MaxPool(NodeContext c)
    {
        var a = c.Attributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        c.RequireOnlyOutputs(1, "the indices of the maxima");
        var window = Window.Read(c, a, Kernel(c, a), allowDilations: true);
        if (window.IsAutomatic && window.Dilations.Any(d => d != 1))
        {
            // The ONNX spec keeps ceil(size / stride) outputs; ONNX Runtime ignores the dilation when it pads.
            throw c.Fail("combines auto_pad SAME_* with dilations, where ONNX runtimes disagree on the output size; use explicit pads.");
        }

        bool ceil = CeilMode(c, a, window);
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var (input, padding) = window.Pad(f.Get(x), double.NegativeInfinity, halfKernelAtMost: true);
            f.Set(output, nn.functional.max_pool2d(input, window.Kernel, window.Strides, padding, window.Dilations, ceil));
        };
    }

    public static NodeStep AveragePool(NodeContext c)
    {
        var a = c.Opset < 19
            ? c.Attributes("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides")
            : c.Attributes("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"); // dilations: opset 19
        var window = Window.Read(c, a, Kernel(c, a), allowDilations: false);
        bool ceil = CeilMode(c, a, window);
        bool includePad = a.Int("count_include_pad", 0) != 0;
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            var (padded, padding) = window.Pad(input, 0.0, halfKernelAtMost: true);
            var sum = nn.functional.avg_pool2d(padded, window.Kernel, window.Strides, padding, ceil, includePad);
            if (includePad || ReferenceEquals(padded, input))
            {
                f.Set(output, sum);
                return;
            }

            // Padded by hand, so TorchSharp counts the pads: divide by the share of real positions in each window.
            var ones = torch.ones(1, 1, input.shape[2], input.shape[3], dtype: input.dtype, device: input.device);
            var (paddedOnes, _) = window.Pad(ones, 0.0, halfKernelAtMost: true);
            var share = nn.functional.avg_pool2d(paddedOnes, window.Kernel, window.Strides, padding, ceil, true);
            f.Set(output, sum / share);
        };
    }

    public static NodeStep GlobalAveragePool(NodeContext c)
    {
        c.Attributes();
        var x = c.Input(0);
        int output = c.Output();
        return f =>
        {
            var input = f.Get(x);
            var axes = Enumerable.Range(2, (int)input.dim() - 2).Select(i => (long)i).ToArray();
            f.Set(output, input.mean(axes, keepdim: true));
        };
    }

    private static long[] Kernel(NodeContext c, NodeAttributes a) =>
        a.Ints("kernel_shape") ?? throw c.Fail("has no kernel_shape attribute, which pooling requires.");

    private static bool CeilMode(NodeContext c, NodeAttributes a, Window window)
    {
        bool ceil = a.Int("ceil_mode", 0) != 0;
        if (ceil && window.MayPadUnevenly)
        {
            throw c.Fail("combines ceil_mode with uneven or automatic padding, which the importer does not run.");
        }

        return ceil;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// The sliding window of a 2-D Conv or pooling node: kernel, strides, dilations and padding (explicit <c>pads</c> or
/// <c>auto_pad</c>). Padding TorchSharp cannot express (uneven sides, or more than half the kernel) is applied to the
/// input first.
/// </summary>
internal sealed class Window
{
    private readonly string _autoPad;
    private readonly long[] _pads; // ONNX order: top, left, bottom, right

    private Window(long[] kernel, long[] strides, long[] dilations, long[] pads, string autoPad)
    {
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        _pads = pads;
        _autoPad = autoPad;
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>True when the padding depends on the input size (SAME_UPPER, SAME_LOWER).</summary>
    public bool IsAutomatic => _autoPad is "SAME_UPPER" or "SAME_LOWER";

    /// <summary>Reads and checks the window attributes of a node whose kernel is <paramref name="kernel"/>.</summary>
    public static Window Read(NodeContext c, NodeAttributes a, long[] kernel, bool allowDilations)
    {
        if (kernel.Length != 2)
        {
            throw c.Fail($"has a {kernel.Length}-D window; the importer runs 2-D windows (inputs [N, C, H, W]) only.");
        }

        if (kernel.Any(k => k < 1))
        {
            throw c.Fail($"has kernel [{string.Join(", ", kernel)}]; every size must be positive.");
        }

        long[] strides = a.Ints("strides") ?? new long[] { 1, 1 };
        long[] dilations = a.Ints("dilations") ?? new long[] { 1, 1 };
        long[] pads = a.Ints("pads") ?? new long[4];
        string autoPad = a.String("auto_pad", "NOTSET");
        if (strides.Length != 2 || strides.Any(s => s < 1))
        {
            throw c.Fail($"has strides [{string.Join(", ", strides)}]; expected two positive values.");
        }

        if (dilations.Length != 2 || dilations.Any(d => d < 1) || (!allowDilations && dilations.Any(d => d != 1)))
        {
            throw c.Fail($"has dilations [{string.Join(", ", dilations)}]; expected {(allowDilations ? "two positive values" : "[1, 1]")}.");
        }

        if (pads.Length != 4 || pads.Any(p => p < 0))
        {
            throw c.Fail($"has pads [{string.Join(", ", pads)}]; expected four values (top, left, bottom, right), none negative.");
        }

        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
        {
            throw c.Fail($"has auto_pad '{autoPad}'; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER.");
        }

        if (autoPad != "NOTSET" && pads.Any(p => p != 0))
        {
            throw c.Fail($"sets both auto_pad {autoPad} and pads; the ONNX spec allows only one.");
        }

        return new Window(kernel, strides, dilations, pads, autoPad);
    }

    /// <summary>True when the node pads (or may pad) unevenly: automatic padding, or different pads on two sides.</summary>
    public bool MayPadUnevenly => IsAutomatic || _pads[0] != _pads[2] || _pads[1] != _pads[3];

    /// <summary>
    /// The input to run the window on and the symmetric padding to pass to TorchSharp: the input itself with the
    /// node's padding when TorchSharp takes it, else the input padded with <paramref name="value"/> and no padding.
    /// </summary>
    /// <param name="input">The node's input.</param>
    /// <param name="value">What padded positions hold (0 for convolution, -inf for max pooling).</param>
    /// <param name="halfKernelAtMost">True for pooling, whose TorchSharp padding may not exceed half the kernel.</param>
    public (Tensor Input, long[] Padding) Pad(Tensor input, double value, bool halfKernelAtMost)
    {
        var pads = PadsFor(input);
        bool even = pads[0] == pads[2] && pads[1] == pads[3];
        if (even && (!halfKernelAtMost || (pads[0] <= Kernel[0] / 2 && pads[1] <= Kernel[1] / 2)))
        {
            return (input, new[] { pads[0], pads[1] });
        }

        // F.pad lists the last axis first: left, right, top, bottom.
        return (nn.functional.pad(input, new[] { pads[1], pads[3], pads[0], pads[2] }, PaddingModes.Constant, value), new long[] { 0, 0 });
    }

    /// <summary>The pads for this input: the node's, or SAME padding computed from the input size.</summary>
    public long[] PadsFor(Tensor input)
    {
        if (!IsAutomatic)
        {
            return _autoPad == "VALID" ? new long[4] : _pads;
        }

        var pads = new long[4];
        for (int axis = 0; axis < 2; axis++)
        {
            long size = input.shape[2 + axis];
            long output = (size + Strides[axis] - 1) / Strides[axis];
            long total = Math.Max(0, (output - 1) * Strides[axis] + (Kernel[axis] - 1) * Dilations[axis] + 1 - size);
            long small = total / 2, large = total - small;
            pads[axis] = _autoPad == "SAME_UPPER" ? small : large;
            pads[axis + 2] = _autoPad == "SAME_UPPER" ? large : small;
        }

        return pads;
    }
}

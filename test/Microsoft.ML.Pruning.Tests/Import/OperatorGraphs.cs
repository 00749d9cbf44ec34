using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>
/// One small hand-built model per supported operator and attribute variant (opsets 11 to 21), each ending in a
/// classifier output [N, 10]: input [N, 4, 8, 8] for image operators, [N, 12] for vector ones.
/// </summary>
internal static class OperatorGraphs
{
    private static readonly long[] Image = { 4, 8, 8 };
    private static readonly long[] Vector = { 12 };

    public static IReadOnlyDictionary<string, Func<byte[]>> All { get; } = new Dictionary<string, Func<byte[]>>
    {
        ["Gemm transB=1"] = () => Linear(13, (g, x) => g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }), g.Weight(new long[] { 10 }) }, Int("transB", 1))),
        ["Gemm transB=0 alpha beta, C [1, out]"] = () => Linear(11, (g, x) => g.Node("Gemm", new[] { x, g.Weight(new long[] { 12, 10 }), g.Weight(new long[] { 1, 10 }) },
            Float("alpha", 0.7f), Float("beta", 1.3f))),
        ["Gemm without C"] = () => Linear(17, (g, x) => g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1))),
        ["MatMul + Add bias"] = () => Linear(13, (g, x) => g.Node("Add", new[] { g.Node("MatMul", new[] { x, g.Weight(new long[] { 12, 10 }) }), g.Weight(new long[] { 10 }) })),
        ["Conv groups strides pads"] = () => Conv(13, Int("group", 2), Ints("strides", 2, 1), Ints("pads", 1, 0, 0, 1), Ints("kernel_shape", 3, 3)),
        ["Conv dilations, no bias"] = () => Conv(11, bias: false, Ints("dilations", 2, 2), Ints("pads", 2, 2, 2, 2)),
        ["Conv auto_pad SAME_UPPER"] = () => Conv(17, Ints("strides", 2, 2), String("auto_pad", "SAME_UPPER")),
        ["Conv auto_pad SAME_LOWER"] = () => Conv(21, Ints("strides", 2, 2), String("auto_pad", "SAME_LOWER")),
        ["Conv auto_pad VALID"] = () => Conv(13, String("auto_pad", "VALID")),
        ["BatchNormalization image"] = () => ImageOp(15, (g, x) => BatchNorm(g, x, 4), 256),
        ["BatchNormalization vector"] = () => Linear(11, (g, x) => BatchNorm(g, g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1)), 10)),
        ["Relu"] = () => ImageOp(13, (g, x) => g.Node("Relu", new[] { Shifted(g, x) }), 256),
        ["LeakyRelu"] = () => ImageOp(13, (g, x) => g.Node("LeakyRelu", new[] { Shifted(g, x) }, Float("alpha", 0.2f)), 256),
        ["Sigmoid"] = () => ImageOp(13, (g, x) => g.Node("Sigmoid", new[] { Shifted(g, x) }), 256),
        ["Tanh"] = () => ImageOp(13, (g, x) => g.Node("Tanh", new[] { Shifted(g, x) }), 256),
        ["Clip min max"] = () => ImageOp(13, (g, x) => g.Node("Clip", new[] { Shifted(g, x), Scalar(g, -0.1f), Scalar(g, 0.3f) }), 256),
        ["Clip min only"] = () => ImageOp(11, (g, x) => g.Node("Clip", new[] { Shifted(g, x), Scalar(g, 0.1f) }), 256),
        ["MaxPool pads ceil_mode"] = () => ImageOp(13, (g, x) => g.Node("MaxPool", new[] { x }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1)), 4 * 5 * 5),
        ["MaxPool uneven pads"] = () => ImageOp(11, (g, x) => g.Node("MaxPool", new[] { Shifted(g, x) }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 0, 0, 1, 1)), 4 * 4 * 4),
        ["MaxPool SAME_UPPER"] = () => ImageOp(13, (g, x) => g.Node("MaxPool", new[] { x }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), String("auto_pad", "SAME_UPPER")), 4 * 4 * 4),
        ["MaxPool SAME_LOWER"] = () => ImageOp(13, (g, x) => g.Node("MaxPool", new[] { Shifted(g, x) }, Ints("kernel_shape", 3, 3), String("auto_pad", "SAME_LOWER")), 256),
        ["MaxPool dilations"] = () => ImageOp(12, (g, x) => g.Node("MaxPool", new[] { x }, Ints("kernel_shape", 2, 2), Ints("dilations", 2, 2), Ints("pads", 1, 1, 1, 1)), 4 * 8 * 8),
        ["AveragePool pads exclude"] = () => ImageOp(13, (g, x) => g.Node("AveragePool", new[] { x }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1)), 4 * 4 * 4),
        ["AveragePool pads include"] = () => ImageOp(11, (g, x) => g.Node("AveragePool", new[] { x }, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 1)), 256),
        ["AveragePool uneven pads"] = () => ImageOp(13, (g, x) => g.Node("AveragePool", new[] { x }, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 1, 0, 0, 1)), 4 * 4 * 4),
        ["AveragePool ceil_mode"] = () => ImageOp(17, (g, x) => g.Node("AveragePool", new[] { x }, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1)), 4 * 4 * 4),
        ["GlobalAveragePool"] = () => ImageOp(13, (g, x) => g.Node("GlobalAveragePool", new[] { x }), 4),
        ["Flatten axis -3"] = () => ImageOp(13, (g, x) => g.Node("Flatten", new[] { x }, Int("axis", -3)), 256),
        ["Reshape 0 and -1"] = () => ImageOp(13, (g, x) => g.Node("Reshape", new[] { x, g.Longs(0, 8, -1) }), 256),
        ["Reshape allowzero"] = () => ImageOp(14, (g, x) => g.Node("Reshape", new[] { x, g.Longs(-1, 16, 16) }, Int("allowzero", 1)), 256),
        ["dynamic flatten opset 11"] = () => DynamicFlatten(11),
        ["dynamic flatten opset 13"] = () => DynamicFlatten(13),
        ["Shape start end"] = () => ImageOp(15, (g, x) => g.Node("Reshape", new[] { x, g.Node("Concat", new[] { g.Node("Shape", new[] { x }, Int("start", 0), Int("end", -2)), g.Longs(-1) }, Int("axis", 0)) }), 256),
        ["Gather channels"] = () => ImageOp(13, (g, x) => g.Node("Gather", new[] { x, g.Longs(3, -4, 1) }, Int("axis", 1)), 3 * 64),
        ["Squeeze Unsqueeze opset 11"] = () => ImageOp(11, (g, x) => g.Node("Unsqueeze", new[] { g.Node("Squeeze", new[] { g.Node("GlobalAveragePool", new[] { x }) }, Ints("axes", 2, 3)) }, Ints("axes", -1)), 4),
        ["Squeeze Unsqueeze opset 13"] = () => ImageOp(13, (g, x) => g.Node("Unsqueeze", new[] { g.Node("Squeeze", new[] { g.Node("GlobalAveragePool", new[] { x }), g.Longs(3, 2) }), g.Longs(1) }), 4),
        ["Squeeze all opset 21"] = () => ImageOp(21, (g, x) => g.Node("Squeeze", new[] { g.Node("GlobalAveragePool", new[] { x }) }), 4),
        ["Transpose NCHW to NHWC and back"] = () => ImageOp(13, (g, x) => g.Node("Transpose", new[] { g.Node("Relu", new[] { g.Node("Transpose", new[] { x }, Ints("perm", 0, 2, 3, 1)) }) }, Ints("perm", 0, 3, 1, 2)), 256),
        ["Transpose NHWC flatten"] = () => ImageOp(11, (g, x) => g.Node("Transpose", new[] { x }, Ints("perm", 0, 2, 3, 1)), 256),
        ["Cast shape to float and back"] = () => ImageOp(15, (g, x) =>
        {
            string size = g.Node("Cast", new[] { g.Node("Shape", new[] { x }, Int("start", 1)) }, Int("to", 1));
            string shape = g.Node("Cast", new[] { g.Node("Div", new[] { size, Scalar(g, 1f) }) }, Int("to", 7));
            return g.Node("Reshape", new[] { x, g.Node("Concat", new[] { g.Longs(-1), shape }, Int("axis", 0)) });
        }, 256),
        ["Concat branches"] = () => ImageOp(13, (g, x) => g.Node("Concat", new[] { x, g.Node("Relu", new[] { Shifted(g, x) }) }, Int("axis", 1)), 512),
        ["Add Sub Mul Div broadcast"] = () => ImageOp(13, (g, x) =>
        {
            string y = g.Node("Add", new[] { x, g.Weight(new long[] { 4, 1, 1 }) });
            y = g.Node("Sub", new[] { g.Weight(new long[] { 1, 8 }), y });
            y = g.Node("Mul", new[] { y, g.Weight(new long[] { 4, 8, 8 }) });
            return g.Node("Div", new[] { y, g.Weight(new long[] { 8 }, 0.5, 2.0) });
        }, 256),
        ["Constant value and value_floats"] = () => ImageOp(13, (g, x) =>
        {
            string scale = g.Node("Constant", Array.Empty<string>(), Tensor("value", OnnxTensors.Float("", new long[] { 4, 1, 1 }, new[] { 0.5f, -1f, 2f, 1.5f })));
            string shift = g.Node("Constant", Array.Empty<string>(), Floats("value_floats", 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f));
            return g.Node("Add", new[] { g.Node("Mul", new[] { x, scale }), shift });
        }, 256),
        ["Identity"] = () => ImageOp(13, (g, x) => g.Node("Identity", new[] { x }), 256),
        ["Dropout opset 11"] = () => ImageOp(11, (g, x) => g.Node("Dropout", new[] { x }, Float("ratio", 0.3f)), 256),
        ["Dropout opset 13"] = () => ImageOp(13, (g, x) => g.Node("Dropout", new[] { x, Scalar(g, 0.3f) }), 256),
        ["Softmax inside opset 11 (2-D coerced)"] = () => ImageOp(11, (g, x) => g.Node("Softmax", new[] { x }, Int("axis", 1)), 256),
        ["Softmax inside opset 13 (one axis)"] = () => ImageOp(13, (g, x) => g.Node("Softmax", new[] { x }, Int("axis", 1)), 256),
        ["LogSoftmax inside"] = () => ImageOp(13, (g, x) => g.Node("LogSoftmax", new[] { x }, Int("axis", -1)), 256),
        ["final Softmax opset 11"] = () => Final(11, "Softmax"),
        ["final LogSoftmax opset 13"] = () => Final(13, "LogSoftmax"),
        ["final Softmax opset 21"] = () => Final(21, "Softmax"),
    };

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in All.Keys)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>Vector input [N, 12]; <paramref name="body"/> makes [N, 10].</summary>
    private static byte[] Linear(long opset, Func<TestGraph, string, string> body)
    {
        var g = new TestGraph(opset, Vector);
        return g.Build(body(g, g.Input));
    }

    /// <summary>Image input [N, 4, 8, 8] → a Conv (so there is a prunable layer before the operator) → the operator
    /// (giving <paramref name="features"/> values per row) → classifier.</summary>
    private static byte[] ImageOp(long opset, Func<TestGraph, string, string> op, long features)
    {
        var g = new TestGraph(opset, Image);
        string conv = g.Node("Conv", new[] { g.Input, g.Weight(new long[] { 4, 4, 3, 3 }), g.Weight(new long[] { 4 }) }, Ints("pads", 1, 1, 1, 1));
        return g.Build(g.Classifier(op(g, conv), features));
    }

    private static byte[] Conv(long opset, params AttributeProto[] attributes) => Conv(opset, bias: true, attributes);

    private static byte[] Conv(long opset, bool bias, params AttributeProto[] attributes)
    {
        var g = new TestGraph(opset, Image);
        bool grouped = attributes.Any(a => a.Name == "group");
        var inputs = new List<string> { g.Input, g.Weight(new long[] { 6, grouped ? 2 : 4, 3, 3 }) };
        if (bias)
        {
            inputs.Add(g.Weight(new long[] { 6 }));
        }

        string conv = g.Node("Conv", inputs.ToArray(), attributes);
        // The output size depends on the attributes: pool it away so one classifier fits every variant.
        return g.Build(g.Classifier(g.Node("GlobalAveragePool", new[] { g.Node("Relu", new[] { conv }) }), 6));
    }

    private static string BatchNorm(TestGraph g, string x, long channels) => g.Node("BatchNormalization", new[]
    {
        x, g.Weight(new[] { channels }, 0.5, 1.5), g.Weight(new[] { channels }), g.Weight(new[] { channels }), g.Weight(new[] { channels }, 0.5, 2.0),
    }, Float("epsilon", 1e-3f), Float("momentum", 0.8f));

    /// <summary>x - 0.2: moves values across the activations' interesting points.</summary>
    private static string Shifted(TestGraph g, string x) => g.Node("Sub", new[] { x, Scalar(g, 0.2f) });

    private static string Scalar(TestGraph g, float value) =>
        g.Node("Constant", Array.Empty<string>(), Tensor("value", OnnxTensors.Float("", Array.Empty<long>(), new[] { value })));

    /// <summary>The flatten torch.onnx.export writes for x.view(x.size(0), -1).</summary>
    private static byte[] DynamicFlatten(long opset)
    {
        var g = new TestGraph(opset, Image);
        string conv = g.Node("Conv", new[] { g.Input, g.Weight(new long[] { 4, 4, 3, 3 }) }, Ints("pads", 1, 1, 1, 1));
        string batch = g.Node("Gather", new[] { g.Node("Shape", new[] { conv }), g.Node("Constant", Array.Empty<string>(), Tensor("value", OnnxTensors.Int64("", Array.Empty<long>(), new long[] { 0 }))) }, Int("axis", 0));
        string minusOne = g.Node("Constant", Array.Empty<string>(), Tensor("value", OnnxTensors.Int64("", Array.Empty<long>(), new long[] { -1 })));
        string[] pieces = opset < 13
            ? new[] { g.Node("Unsqueeze", new[] { batch }, Ints("axes", 0)), g.Node("Unsqueeze", new[] { minusOne }, Ints("axes", 0)) }
            : new[] { g.Node("Unsqueeze", new[] { batch, g.Longs(0) }), g.Node("Unsqueeze", new[] { minusOne, g.Longs(0) }) };
        string flat = g.Node("Reshape", new[] { conv, g.Node("Concat", pieces, Int("axis", 0)) });
        return g.Build(g.Node("Gemm", new[] { flat, g.Weight(new long[] { 10, 256 }), g.Weight(new long[] { 10 }) }, Int("transB", 1)));
    }

    private static byte[] Final(long opset, string op)
    {
        var g = new TestGraph(opset, Vector);
        string logits = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }, -3, 3), g.Weight(new long[] { 10 }) }, Int("transB", 1));
        return g.Build(g.Node(op, new[] { logits }, opset < 13 ? Array.Empty<AttributeProto>() : new[] { Int("axis", 1) }));
    }
}

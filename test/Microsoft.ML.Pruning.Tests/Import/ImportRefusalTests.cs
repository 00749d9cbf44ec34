using Google.Protobuf;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Networks;
using static Microsoft.ML.Pruning.Tests.Import.TestGraph;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>What the importer cannot run or train is refused when the model is read, with a message that names the
/// node, its operator and what is supported.</summary>
public sealed class ImportRefusalTests
{
    public ImportRefusalTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void UnsupportedOperator_NamesTheNodeTheOperatorAndTheSupportedOnes()
    {
        var g = new TestGraph(13, new long[] { 12 });
        string gemm = g.Node("Gemm", new[] { g.Input, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1));
        var e = Assert.Throws<ArgumentException>(() => OnnxModelSource.FromBytes(g.Build(g.Node("Erf", new[] { gemm })), "erf.onnx"));
        Assert.Contains("'erf.onnx'", e.Message);
        Assert.Contains("node 'erf", e.Message);
        Assert.Contains("(Erf)", e.Message);
        Assert.Contains("Supported operators: Add, AveragePool, BatchNormalization", e.Message);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "unknown attribute", "(Gemm) has attribute 'bogus'", "supported: alpha, beta, transA, transB" },
        { "weight computed at run time", "(Gemm) computes its weight (input 'relu", "initializers or Constant nodes" },
        { "double weight", "element type double", "float32" },
        { "3-D convolution", "(Conv) has a weight of rank 5", "2-D convolutions" },
        { "shared weight", "1 other node(s) read too", "shared weights are not supported" },
        { "batch norm in training mode", "(BatchNormalization) has training_mode 1", "inference graphs" },
        { "max pool indices used", "(MaxPool) has its output 2", "the indices of the maxima" },
        { "operator of another domain", "is in operator domain 'com.microsoft'", "default ONNX domain" },
        { "opset 10", "default-domain opset 10", "opsets 11 to 21" },
        { "two inputs", "has 2 inputs", "one input" },
        { "input without fixed sizes", "input 'x' has shape [N, ?]", "fixed positive size" },
        { "no prunable layer", "nothing to prune", "Gemm, MatMul" },
        { "external weights", "keeps its data in an external file", "save_as_external_data=False" },
        { "output of rank 4", "output 'conv", "[N, classes]" },
        { "cast to double", "(Cast) casts to double", "float, int64, int32 or bool" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusedWithAMessageSayingWhy(string refusal, string expected, string supported)
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxModelSource.FromBytes(Model(refusal), refusal));
        Assert.Contains($"ONNX model '{refusal}'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(supported, e.Message);
    }

    [Fact]
    public void BytesThatAreNoOnnxModel_AreInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => OnnxModelSource.FromBytes(new byte[] { 1, 2, 3, 4, 5 }, "junk"));
        Assert.Throws<FileNotFoundException>(() => OnnxModelSource.Load("no-such-model.onnx"));
    }

    private static byte[] Model(string refusal)
    {
        var g = new TestGraph(refusal switch { "opset 10" => 10, "batch norm in training mode" => 15, _ => 13 }, new long[] { 12 });
        string x = g.Input;
        switch (refusal)
        {
            case "unknown attribute":
                return g.Build(g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1), Int("bogus", 1)));
            case "weight computed at run time":
                return g.Build(g.Node("Gemm", new[] { x, g.Node("Relu", new[] { g.Weight(new long[] { 12, 10 }) }) }));
            case "double weight":
            {
                string w = g.Weight(new long[] { 10, 12 });
                var model = ModelProto.Parser.ParseFrom(g.Build(g.Node("Gemm", new[] { x, w }, Int("transB", 1))));
                var tensor = model.Graph.Initializer.Single(t => t.Name == w);
                tensor.DataType = (int)TensorProto.Types.DataType.Double;
                tensor.RawData = ByteString.CopyFrom(new byte[10 * 12 * 8]);
                return model.ToByteArray();
            }

            case "3-D convolution":
            {
                var g3 = new TestGraph(13, new long[] { 2, 4, 4, 4 });
                return g3.Build(g3.Node("Conv", new[] { g3.Input, g3.Weight(new long[] { 3, 2, 1, 1, 1 }) }));
            }

            case "shared weight":
            {
                string w = g.Weight(new long[] { 12, 12 });
                string h = g.Node("MatMul", new[] { x, w });
                return g.Build(g.Node("Gemm", new[] { g.Node("MatMul", new[] { h, w }), g.Weight(new long[] { 10, 12 }) }, Int("transB", 1)));
            }

            case "batch norm in training mode":
            {
                string gemm = g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1));
                return g.Build(g.Node("BatchNormalization", new[] { gemm, g.Weight(new long[] { 10 }), g.Weight(new long[] { 10 }), g.Weight(new long[] { 10 }), g.Weight(new long[] { 10 }, 1, 2) },
                    Int("training_mode", 1)));
            }

            case "max pool indices used":
            {
                var gi = new TestGraph(13, new long[] { 1, 4, 4 });
                string conv = gi.Node("Conv", new[] { gi.Input, gi.Weight(new long[] { 2, 1, 1, 1 }) });
                var pool = gi.Node("MaxPool", new[] { conv }, 2, Ints("kernel_shape", 2, 2));
                // The maxima reshaped to the indices' shape: the same values, but the graph now reads the indices.
                return gi.Build(gi.Classifier(gi.Node("Reshape", new[] { pool[0], gi.Node("Shape", new[] { pool[1] }) }), 8));
            }

            case "operator of another domain":
            {
                var model = ModelProto.Parser.ParseFrom(g.Build(g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1))));
                model.Graph.Node[0].Domain = "com.microsoft";
                return model.ToByteArray();
            }

            case "opset 10":
                return g.Build(g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1)));

            case "two inputs":
            {
                var model = ModelProto.Parser.ParseFrom(g.Build(g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1))));
                var second = model.Graph.Input[0].Clone();
                second.Name = "y";
                model.Graph.Input.Add(second);
                return model.ToByteArray();
            }

            case "input without fixed sizes":
            {
                var model = ModelProto.Parser.ParseFrom(g.Build(g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1))));
                model.Graph.Input[0].Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension();
                return model.ToByteArray();
            }

            case "no prunable layer":
                return g.Build(g.Node("Relu", new[] { x }));

            case "external weights":
            {
                string w = g.Weight(new long[] { 10, 12 });
                var model = ModelProto.Parser.ParseFrom(g.Build(g.Node("Gemm", new[] { x, w }, Int("transB", 1))));
                var tensor = model.Graph.Initializer.Single(t => t.Name == w);
                tensor.RawData = ByteString.Empty;
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
                return model.ToByteArray();
            }

            case "cast to double":
                return g.Build(g.Node("Cast", new[] { g.Node("Gemm", new[] { x, g.Weight(new long[] { 10, 12 }) }, Int("transB", 1)) }, Int("to", 11)));

            case "output of rank 4":
            {
                var gi = new TestGraph(13, new long[] { 1, 4, 4 });
                return gi.Build(gi.Node("Conv", new[] { gi.Input, gi.Weight(new long[] { 2, 1, 1, 1 }) }));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(refusal), refusal, "No such test model.");
        }
    }
}

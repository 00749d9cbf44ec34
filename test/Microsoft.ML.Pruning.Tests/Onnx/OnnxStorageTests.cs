using System.Runtime.InteropServices;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Tests.Networks;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>Dense, sparse and automatic weight storage: the sparse layout the ONNX spec demands (a Constant node's
/// sparse_value), the sizes, and ONNX Runtime's acceptance.</summary>
public sealed class OnnxStorageTests
{
    private readonly ITestOutputHelper _output;

    public OnnxStorageTests(ITestOutputHelper output)
    {
        _output = output;
        NetworkTestCases.EnsureTorch();
    }

    [Fact]
    public void Sparse_WritesEachPrunableWeightAsConstantWithLinearAscendingCooIndices_AndKeepsBiasesDense()
    {
        using var network = OnnxTestSupport.BuildWithStatistics(NetworkTestCases.Define("resnet20", "3,32,32", 3072, 10), seed: 2);
        OnnxTestSupport.Prune(network, 0.9);
        var graph = ModelProto.Parser.ParseFrom(OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse })).Graph;

        var sparseWeights = OnnxTestSupport.SparseWeights(graph);
        Assert.Equal(network.PrunableLayers.Select(l => l.Name + ".weight"), sparseWeights.Keys);
        Assert.Empty(graph.SparseInitializer); // typed sparse_tensor: the ONNX checker refuses it as a Gemm/Conv input
        Assert.DoesNotContain(graph.Initializer, t => t.Name.EndsWith(".weight", StringComparison.Ordinal) && !t.Name.Contains("_bn", StringComparison.Ordinal));
        Assert.Contains(graph.Initializer, t => t.Name == "fc.bias");
        Assert.Contains(graph.Initializer, t => t.Name == "conv1_bn.running_var");
        foreach (var layer in network.PrunableLayers)
        {
            var sparse = sparseWeights[layer.Name + ".weight"];
            Assert.Equal(layer.Weight.shape, sparse.Dims);
            Assert.Equal((int)TensorProto.Types.DataType.Float, sparse.Values.DataType);
            Assert.Equal((int)TensorProto.Types.DataType.Int64, sparse.Indices.DataType);
            var values = MemoryMarshal.Cast<byte, float>(sparse.Values.RawData.Span).ToArray();
            var indices = MemoryMarshal.Cast<byte, long>(sparse.Indices.RawData.Span).ToArray();
            Assert.Equal(new long[] { values.Length }, sparse.Values.Dims);
            Assert.Equal(new long[] { indices.Length }, sparse.Indices.Dims);
            Assert.Equal(values.Length, indices.Length);
            for (int i = 1; i < indices.Length; i++)
            {
                Assert.True(indices[i] > indices[i - 1], $"{layer.Name}: indices must ascend without duplicates.");
            }

            // Scattering the values back gives the weight exactly.
            var weight = layer.Weight.detach().cpu().flatten().data<float>().ToArray();
            var dense = new float[weight.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                dense[indices[i]] = values[i];
            }

            Assert.Equal(weight, dense);
            Assert.All(values, v => Assert.NotEqual(0f, v));
            Assert.InRange(values.Length, (int)(0.09 * weight.Length), (int)Math.Ceiling(0.11 * weight.Length));
        }
    }

    [Fact]
    public void SparseFile_AtNinetyPercent_IsAtMost035TimesTheDenseFile_LeNet300()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4);
        OnnxTestSupport.Prune(network, 0.9);
        var dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        var sparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
        var auto = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Auto });
        double ratio = (double)sparse.Length / dense.Length;
        _output.WriteLine($"LeNet-300-100 at 90%: dense {dense.Length:N0} bytes, sparse {sparse.Length:N0} bytes ({ratio:F3}x), auto {auto.Length:N0} bytes");

        Assert.True(ratio <= 0.35, $"sparse/dense = {ratio:F3}");
        Assert.Equal(sparse.Length, auto.Length); // every layer is at 10% density, below the one-third break-even
    }

    [Fact]
    public void Auto_ChoosesPerTensor_SparseOnlyWhereSmaller()
    {
        using var network = NetworkBuilder.Build(NetworkTestCases.Define("lenet300", "", 784, 10), seed: 4);
        var denseNetwork = ModelProto.Parser.ParseFrom(OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Auto })).Graph;
        Assert.Empty(OnnxTestSupport.SparseWeights(denseNetwork));

        // 50% sparse everywhere: the sparse layout costs more than dense (12 bytes per non-zero against 4 per entry),
        // so Auto stays dense.
        OnnxTestSupport.Prune(network, 0.5);
        var sparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
        var dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        var auto = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Auto });
        Assert.True(sparse.Length > dense.Length, $"dense {dense.Length}, sparse {sparse.Length}");
        Assert.Equal(dense, auto);

        // Then fc1 alone at 80%: only fc1 is below one third density, and Auto beats both uniform layouts.
        using (NewDisposeScope())
        using (no_grad())
        {
            var fc1 = network.PrunableLayers[0].Weight;
            var magnitudes = fc1.abs().flatten().data<float>().ToArray();
            Array.Sort(magnitudes);
            fc1.masked_fill_(fc1.abs().lt(magnitudes[(int)(0.8 * magnitudes.Length)]), 0.0);
        }

        auto = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Auto });
        var graph = ModelProto.Parser.ParseFrom(auto).Graph;
        Assert.Equal(new[] { "fc1.weight" }, OnnxTestSupport.SparseWeights(graph).Keys);
        Assert.Contains(graph.Initializer, t => t.Name == "fc2.weight");
        sparse = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Sparse });
        dense = OnnxExporter.Export(network, new OnnxExportOptions { Storage = OnnxStorage.Dense });
        Assert.True(auto.Length < sparse.Length && auto.Length < dense.Length, $"auto {auto.Length}, dense {dense.Length}, sparse {sparse.Length}");
    }

    [Fact]
    public void OnnxRuntime_AcceptsSparseConstants_ForGemmAndConv_EvenAnAllZeroWeight()
    {
        using var network = OnnxTestSupport.BuildWithStatistics(NetworkTestCases.Define("lenet5", "1,28,28", 784, 10), seed: 8);
        OnnxTestSupport.Prune(network, 0.9);
        using (no_grad())
        {
            network.PrunableLayers[1].Weight.zero_(); // conv2: no non-zero left, an empty sparse tensor
        }

        var input = OnnxTestSupport.Features(5, 784);
        var expected = OnnxTestSupport.TorchScores(network, input, 5);
        foreach (var storage in new[] { OnnxStorage.Sparse, OnnxStorage.Auto })
        {
            var model = OnnxExporter.Export(network, new OnnxExportOptions { Storage = storage });
            Assert.Equal(0, OnnxTestSupport.SparseWeights(ModelProto.Parser.ParseFrom(model).Graph)["conv2.weight"].Values.Dims[0]);
            using var session = OnnxTestSupport.Session(model);
            var (scores, _, _) = OnnxTestSupport.Run(session, input, 5, 784);
            Assert.True(OnnxTestSupport.MaxAbsDifference(expected, scores) <= 1e-4f);
        }
    }
}

using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Tests.Networks;

namespace Microsoft.ML.Pruning.Tests.Import;

/// <summary>Every supported operator and attribute variant, in a hand-built model, computes what ONNX Runtime computes.</summary>
public sealed class OperatorParityTests
{
    public OperatorParityTests() => NetworkTestCases.EnsureTorch();

    public static TheoryData<string> Graphs => OperatorGraphs.Names;

    [Theory]
    [MemberData(nameof(Graphs))]
    public void ImportedNetwork_MatchesOnnxRuntime(string graph)
    {
        var bytes = OperatorGraphs.All[graph]();
        var source = OnnxModelSource.FromBytes(bytes, graph);
        const int rows = 5;
        var input = ImportTestSupport.Rows(rows, source.InputFeatures, seed: 17);
        var (expected, shape) = ImportTestSupport.RunOnnx(bytes, source.InputName, input, ImportTestSupport.InputShape(source, rows));
        Assert.Equal(new long[] { rows, 10 }, shape);
        var actual = ImportTestSupport.ImportedOutputs(source, input, rows);
        float difference = ImportTestSupport.MaxRelativeDifference(expected, actual);
        Assert.True(difference < 1e-5f, $"{graph}: max difference {difference}");
    }
}

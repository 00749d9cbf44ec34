using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>Builds networks with non-trivial BatchNorm state, prunes them, and scores them with TorchSharp and ONNX Runtime.</summary>
internal static class OnnxTestSupport
{
    /// <summary>A network in evaluation mode whose BatchNorm layers have random affine parameters and running statistics,
    /// so the exported graph's use of them is actually checked (fresh ones are the identity: mean 0, variance 1).</summary>
    public static PrunableNetwork BuildWithStatistics(NetworkDefinition definition, long seed)
    {
        var network = NetworkBuilder.Build(definition, seed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed + 1000);
        var state = network.state_dict();
        foreach (var key in state.Keys.Where(k => k.EndsWith(".running_var", StringComparison.Ordinal)).ToList())
        {
            string bn = key[..^".running_var".Length];
            var shape = state[key].shape;
            state[bn + ".running_mean"].copy_(randn(shape, generator: generator) * 0.5);
            state[bn + ".running_var"].copy_(rand(shape, generator: generator) * 1.5 + 0.5);
            state[bn + ".weight"].copy_(rand(shape, generator: generator) + 0.5);
            state[bn + ".bias"].copy_(randn(shape, generator: generator) * 0.2);
        }

        network.eval();
        return network;
    }

    /// <summary>One layerwise magnitude-pruning step at <paramref name="rate"/>; the zeros stay in the weights.</summary>
    public static void Prune(PrunableNetwork network, double rate)
    {
        using var masks = new MaskSet(network);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), PruningScope.Layerwise);
    }

    /// <summary>
    /// Scales the output layer so that the logits on <paramref name="rows"/> spread with standard deviation
    /// <paramref name="spread"/> within a row. A freshly initialised network scores nearly uniformly (about 1/classes
    /// everywhere), where a score tolerance hides logit errors and argmax checks prove little; sharp scores make both count.
    /// </summary>
    public static void Sharpen(PrunableNetwork network, float[] rows, int batch, double spread = 4)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var logits = network.call(torch.tensor(rows, new long[] { batch, network.Source.InputFeatures }));
        double std = (logits - logits.mean(new long[] { 1 }, keepdim: true)).std().item<float>();
        var output = network.PrunableLayers[^1];
        output.Weight.mul_(spread / std);
        output.Bias?.mul_(spread / std);
    }

    /// <summary>Softmax of the network's logits (evaluation mode), row-major [batch, classes].</summary>
    public static float[] TorchScores(PrunableNetwork network, float[] features, int batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var input = torch.tensor(features, new long[] { batch, network.Source.InputFeatures });
        return nn.functional.softmax(network.call(input), 1).data<float>().ToArray();
    }

    /// <summary>Seeded standard-normal feature rows, row-major [batch, features].</summary>
    public static float[] Features(int batch, int features, long seed = 7)
    {
        using var input = NetworkTestCases.Input(batch, features, seed);
        return input.data<float>().ToArray();
    }

    /// <summary>The sparse weights of a graph (Constant nodes with a sparse_value) by output name, in node order.</summary>
    public static IReadOnlyDictionary<string, SparseTensorProto> SparseWeights(GraphProto graph)
    {
        var weights = new Dictionary<string, SparseTensorProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => n.OpType == "Constant" && n.Attribute.Count == 1 && n.Attribute[0].Name == "sparse_value"))
        {
            weights.Add(node.Output.Single(), node.Attribute[0].SparseTensor);
        }

        return weights;
    }

    /// <summary>A single-threaded session (deterministic, and fair to other work on a small machine).</summary>
    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs the model on <paramref name="features"/> and returns both outputs.</summary>
    public static (float[] Scores, long[] Labels, long[] ScoreShape) Run(InferenceSession session, float[] features, int batch, int featureCount)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(features, new long[] { batch, featureCount });
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { "Features" }, new[] { input }, new[] { "Score", "PredictedLabel" });
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<long>().ToArray(),
            outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>Index of the first maximum of row <paramref name="row"/>.</summary>
    public static int ArgMax(float[] values, int row, int width)
    {
        int best = 0;
        for (int j = 1; j < width; j++)
        {
            if (values[row * width + j] > values[row * width + best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>The gap between the largest and second-largest value of a row (how clear its argmax is).</summary>
    public static float TopGap(float[] values, int row, int width)
    {
        var sorted = values.AsSpan(row * width, width).ToArray().OrderDescending().ToArray();
        return width < 2 ? float.PositiveInfinity : sorted[0] - sorted[1];
    }

    public static float MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}

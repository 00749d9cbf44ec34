using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

/// <summary>The built-in architectures on the inputs the tests cover, and small helpers shared by the network tests.</summary>
internal static class NetworkTestCases
{
    /// <summary>(architecture name, image shape or "" for flat input, feature count, class count).</summary>
    public static TheoryData<string, string, int, int> BuiltIns => new()
    {
        { "lenet300", "", 784, 10 },
        { "mlp:32,16,8", "", 20, 3 },
        { "lenet5", "1,28,28", 784, 10 },
        { "lenet5", "3,32,32", 3072, 10 },
        { "conv2", "3,32,32", 3072, 10 },
        { "conv2", "1,28,28", 784, 10 },
        { "conv4", "3,32,32", 3072, 10 },
        { "conv4", "1,28,28", 784, 10 },
        { "conv6", "3,32,32", 3072, 10 },
        { "conv6", "1,28,28", 784, 10 },
        { "vgg11", "3,32,32", 3072, 10 },
        { "vgg16", "3,32,32", 3072, 10 },
        { "resnet20", "3,32,32", 3072, 10 },
    };

    public static NetworkDefinition Define(string architecture, string shape, int features, int classes) =>
        NetworkArchitecture.Parse(architecture).Define(features, shape.Length == 0 ? null : ImageShape.Parse(shape), classes);

    /// <summary>Loads TorchSharp's native libraries (tests make tensors before any network exists).</summary>
    public static void EnsureTorch() => TorchSharpNativeLoader.EnsureLoaded();

    /// <summary>Seeded standard-normal input rows <c>[batch, features]</c>.</summary>
    public static Tensor Input(int batch, int features, long seed = 7)
    {
        EnsureTorch();
        using var generator = new Generator((ulong)seed);
        return torch.randn(new long[] { batch, features }, generator: generator);
    }

    /// <summary>True when both states have the same keys and bit-identical tensors.</summary>
    public static bool StatesEqual(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && BitEqual(kv.Value, other));

    /// <summary>Same type, shape and bytes.</summary>
    public static bool BitEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var left = a.detach().cpu().contiguous();
        using var right = b.detach().cpu().contiguous();
        return left.bytes.SequenceEqual(right.bytes);
    }
}

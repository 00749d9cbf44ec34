using TorchSharp;

namespace Microsoft.ML.Pruning.Training;

/// <summary>One seed for everything random in a run: TorchSharp's generator (initialisation, dropout) and, through
/// <see cref="Data.SeededRandom"/>, shuffles and probe sets.</summary>
public static class TrainingSeed
{
    /// <summary>Seeds TorchSharp's global CPU generator. Call before building or training a network.</summary>
    public static void Apply(long seed)
    {
        Native.TorchSharpNativeLoader.EnsureLoaded();
        torch.random.manual_seed(seed);
    }
}

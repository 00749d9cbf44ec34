using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>Ownership helpers for state snapshots (dictionaries of tensors the caller owns).</summary>
internal static class StateDictionaryExtensions
{
    /// <summary>Wraps a snapshot so a <c>using</c> disposes its tensors.</summary>
    public static OwnedState AsDisposable(this Dictionary<string, Tensor> state) => new(state);

    internal readonly struct OwnedState(Dictionary<string, Tensor> value) : IDisposable
    {
        public Dictionary<string, Tensor> Value { get; } = value;

        public void Dispose()
        {
            foreach (var t in Value.Values)
            {
                t.Dispose();
            }
        }
    }
}

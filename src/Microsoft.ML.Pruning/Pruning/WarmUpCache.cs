using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Dense pre-training shared between runs. Runs with the same network, data, seed, pre-training epochs, training
/// options, rewind point and task train the same dense network, so the first of them trains it and the others start
/// from a copy: its weights, rewind and dense snapshots, the trainer's epoch counter (which seeds the shuffles) and
/// TorchSharp's generator state, so a run that reuses a warm-up ends exactly as one that trains its own.
/// </summary>
/// <remarks><see cref="MethodComparison"/> uses one per comparison: with the reference protocol's long warm-ups the
/// seven methods of a seed then pay for one. A run that reused a warm-up says so in its report
/// (<see cref="DenseResult.SharedWarmUp"/>); its wall time counts the warm-up's as measured by the run that trained
/// it, so the runs' costs stay comparable.</remarks>
public sealed class WarmUpCache : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How many warm-ups are held.</summary>
    public int Count => _entries.Count;

    /// <summary>How many runs started from a held warm-up instead of training their own.</summary>
    public int Reused { get; private set; }

    /// <summary>Frees the held snapshots.</summary>
    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            foreach (var snapshot in entry.Snapshots.Values)
            {
                foreach (var tensor in snapshot.Values)
                {
                    tensor.Dispose();
                }
            }
        }

        _entries.Clear();
    }

    internal bool TryGet(string key, out Entry entry)
    {
        bool found = _entries.TryGetValue(key, out entry!);
        Reused += found ? 1 : 0;
        return found;
    }

    /// <summary>Keeps <paramref name="entry"/> (the cache owns its tensors from now on) unless the key is held already.</summary>
    internal void Add(string key, Entry entry)
    {
        if (!_entries.TryAdd(key, entry))
        {
            foreach (var t in entry.Snapshots.Values.SelectMany(s => s.Values))
            {
                t.Dispose();
            }
        }
    }

    /// <summary>What the dense phase leaves behind.</summary>
    internal sealed record Entry(DenseResult Dense, Dictionary<string, Dictionary<string, Tensor>> Snapshots, long TrainerEpochs,
        byte[] RngState, IReadOnlyList<string> Warnings);
}

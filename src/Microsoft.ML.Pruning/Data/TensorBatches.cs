using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// A data set copied once into tensors, served as (seeded, shuffled) mini-batches. Each batch's tensors are new
/// and belong to the caller's current dispose scope.
/// </summary>
public sealed class TensorBatches : IDisposable
{
    private readonly Tensor _features;
    private readonly Tensor _labels;
    private readonly long _seed;

    /// <summary>Copies <paramref name="data"/> into tensors on <paramref name="device"/>.</summary>
    /// <param name="data">The rows to serve.</param>
    /// <param name="seed">Seed of the per-epoch shuffles.</param>
    /// <param name="device">Where the tensors live (CPU when null).</param>
    public TensorBatches(InMemoryDataset data, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        _seed = seed;
        (_features, _labels) = data.ToTensors(device);
        // Owned by this object, not by whatever dispose scope happens to be open.
        _features.DetachFromDisposeScope();
        _labels.DetachFromDisposeScope();
    }

    /// <summary>The source rows.</summary>
    public InMemoryDataset Data { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Data.Count;

    /// <summary>All features as one tensor <c>[N, F]</c> (owned by this object).</summary>
    public Tensor Features => _features;

    /// <summary>All labels as one tensor <c>[N]</c> (owned by this object).</summary>
    public Tensor Labels => _labels;

    /// <summary>The row order of an epoch: a seeded permutation (same seed and epoch, same order), or file order.</summary>
    public int[] Order(int epoch, bool shuffle)
    {
        if (!shuffle)
        {
            return Enumerable.Range(0, Count).ToArray();
        }

        return SeededRandom.For(_seed, epoch).Permutation(Count);
    }

    /// <summary>Number of batches of an epoch (the last may be smaller).</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>
    /// The mini-batches of one epoch. Each batch lives in its own dispose scope, opened before its tensors are made
    /// and closed when the loop moves on: every tensor the loop body creates for the batch is freed with it, so a
    /// body must <c>DetachFromDisposeScope()</c> anything it keeps.
    /// </summary>
    public IEnumerable<(Tensor Features, Tensor Labels)> Batches(int batchSize, int epoch, bool shuffle)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        }

        return Iterate(batchSize, shuffle ? Order(epoch, true) : null, 0, BatchCount(batchSize));
    }

    /// <summary>
    /// Batches <c>[firstBatch, firstBatch + batchCount)</c> of one epoch (the same batches, in the same order, as
    /// <see cref="Batches(int, int, bool)"/> gives at those positions), so an epoch can be trained in pieces with
    /// decisions in between. Each batch lives in its own dispose scope, as there.
    /// </summary>
    public IEnumerable<(Tensor Features, Tensor Labels)> Batches(int batchSize, int epoch, bool shuffle, int firstBatch, int batchCount)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        }

        if (firstBatch < 0 || batchCount < 0 || firstBatch + batchCount > BatchCount(batchSize))
        {
            throw new ArgumentOutOfRangeException(nameof(firstBatch), $"Batches [{firstBatch}, {firstBatch + batchCount}) are outside the epoch's {BatchCount(batchSize)} batches.");
        }

        return Iterate(batchSize, shuffle ? Order(epoch, true) : null, firstBatch, batchCount);
    }

    private IEnumerable<(Tensor Features, Tensor Labels)> Iterate(int batchSize, int[]? order, int firstBatch, int batchCount)
    {
        int end = Math.Min(Count, (firstBatch + batchCount) * batchSize);
        for (int start = firstBatch * batchSize; start < end; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int size = Math.Min(batchSize, Count - start);
            if (order is null)
            {
                yield return (_features.narrow(0, start, size), _labels.narrow(0, start, size));
            }
            else
            {
                var rows = new long[size];
                for (int i = 0; i < size; i++)
                {
                    rows[i] = order[start + i];
                }

                var index = torch.tensor(rows, dtype: ScalarType.Int64, device: _features.device);
                yield return (_features.index_select(0, index), _labels.index_select(0, index));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _features.Dispose();
        _labels.Dispose();
    }
}

using Microsoft.ML.Pruning.Data;
using TorchSharp;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class TensorBatchesTests
{
    private static InMemoryDataset Rows(int count) =>
        new(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), Enumerable.Range(0, count).Select(i => (long)i).ToArray(), 1);

    [Fact]
    public void Shuffle_order_is_fixed_by_seed_and_epoch()
    {
        using var a = new TensorBatches(Rows(50), seed: 3);
        using var b = new TensorBatches(Rows(50), seed: 3);
        using var c = new TensorBatches(Rows(50), seed: 4);

        Assert.Equal(a.Order(2, shuffle: true), b.Order(2, shuffle: true));
        Assert.NotEqual(a.Order(2, shuffle: true), a.Order(3, shuffle: true));
        Assert.NotEqual(a.Order(2, shuffle: true), c.Order(2, shuffle: true));
        Assert.Equal(Enumerable.Range(0, 50), a.Order(2, shuffle: true).Order());
        Assert.Equal(Enumerable.Range(0, 50), a.Order(2, shuffle: false));
    }

    [Fact]
    public void Batches_follow_the_epoch_order_and_cover_every_row()
    {
        using var batches = new TensorBatches(Rows(23), seed: 11);
        var expected = batches.Order(5, shuffle: true).Select(i => (long)i).ToArray();

        var seen = new List<long>();
        var sizes = new List<long>();
        foreach (var (x, y) in batches.Batches(batchSize: 8, epoch: 5, shuffle: true))
        {
            using var scope = torch.NewDisposeScope();
            sizes.Add(x.shape[0]);
            var labels = y.data<long>().ToArray();
            Assert.Equal(labels.Select(l => (float)l), x.data<float>().ToArray()); // features travel with their labels
            seen.AddRange(labels);
        }

        Assert.Equal(new long[] { 8, 8, 7 }, sizes);
        Assert.Equal(3, batches.BatchCount(8));
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Unshuffled_batches_are_in_file_order()
    {
        using var batches = new TensorBatches(Rows(10), seed: 1);

        var seen = new List<long>();
        foreach (var (_, y) in batches.Batches(4, epoch: 0, shuffle: false))
        {
            seen.AddRange(y.data<long>().ToArray());
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), seen);
    }
}

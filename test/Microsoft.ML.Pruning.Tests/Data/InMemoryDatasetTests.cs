using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class InMemoryDatasetTests
{
    private static InMemoryDataset Numbered(int rows, int features = 2) =>
        new(Enumerable.Range(0, rows * features).Select(i => (float)i).ToArray(), Enumerable.Range(0, rows).Select(i => (long)(i % 3)).ToArray(), features);

    [Fact]
    public void Split_by_index_keeps_file_order_and_class_count()
    {
        var data = Numbered(100);

        var split = data.SplitByIndex(0.7, 0.1, 0.2);

        Assert.Equal((70, 10, 20), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.Equal(data.Row(70).ToArray(), split.Validation.Row(0).ToArray());
        Assert.Equal(data.Row(99).ToArray(), split.Test.Row(19).ToArray());
        Assert.All(new[] { split.Train, split.Validation, split.Test }, part => Assert.Equal(3, part.ClassCount));
    }

    [Fact]
    public void Split_rejects_bad_fractions_and_too_few_rows()
    {
        Assert.Throws<ArgumentException>(() => Numbered(100).SplitByIndex(0.7, 0.2, 0.2));
        Assert.Throws<ArgumentException>(() => Numbered(3).SplitByIndex(0.7, 0.1, 0.2));
    }

    [Fact]
    public void Select_takes_rows_in_the_given_order()
    {
        var data = Numbered(5);

        var picked = data.Select(new[] { 4, 0, 4 });

        Assert.Equal(new[] { 8f, 9f, 0f, 1f, 8f, 9f }, picked.Features.ToArray());
        Assert.Equal(new long[] { 1, 0, 1 }, picked.Labels.ToArray());
    }

    [Fact]
    public void Constructor_rejects_non_finite_features_and_bad_labels()
    {
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new[] { 1f, float.NaN }, new long[] { 0, 1 }, 1));
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new[] { 1f, 2f }, new long[] { 0, 5 }, 1, classCount: 3));
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new[] { 1f, 2f }, new long[] { 0, -1 }, 1));
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new[] { 1f, 2f, 3f }, new long[] { 0, 1 }, 1));
    }

    [Fact]
    public void Tensors_hold_the_same_values()
    {
        var data = Numbered(4, features: 3);

        var (x, y) = data.ToTensors();
        using (x)
        using (y)
        {
            Assert.Equal(new long[] { 4, 3 }, x.shape);
            Assert.Equal(data.Features.ToArray(), x.data<float>().ToArray());
            Assert.Equal(data.Labels.ToArray(), y.data<long>().ToArray());
        }
    }
}

using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class SyntheticDigitsTests
{
    [Fact]
    public void Same_seed_gives_identical_data_and_other_seeds_differ()
    {
        var a = SyntheticDigits.Generate(300, seed: 42);
        var b = SyntheticDigits.Generate(300, seed: 42);
        var c = SyntheticDigits.Generate(300, seed: 43);

        Assert.True(a.Features.SequenceEqual(b.Features));
        Assert.True(a.Labels.SequenceEqual(b.Labels));
        Assert.False(a.Features.SequenceEqual(c.Features));
        Assert.False(a.Labels.SequenceEqual(c.Labels));
    }

    [Fact]
    public void Rows_do_not_depend_on_thread_scheduling()
    {
        var data = SyntheticDigits.Generate(64, seed: 5);

        // Drawing rows one by one on this thread, from each row's own generator, gives the same bytes.
        var pixels = new float[SyntheticDigits.Shape.Size];
        foreach (int row in new[] { 0, 17, 63 })
        {
            Array.Clear(pixels);
            SyntheticDigits.Draw(pixels, (int)data.Labels[row], SeededRandom.For(5, row));
            Assert.True(data.Row(row).SequenceEqual(pixels));
        }
    }

    [Fact]
    public void Classes_are_balanced_shape_is_mnist_like_and_values_lie_in_unit_range()
    {
        var data = SyntheticDigits.Generate(1003, seed: 1);

        Assert.Equal(new[] { 101, 101, 101, 100, 100, 100, 100, 100, 100, 100 }, data.ClassHistogram());
        Assert.Equal(new ImageShape(1, 28, 28), data.Shape);
        Assert.Equal(784, data.FeatureCount);
        Assert.Equal(10, data.ClassCount);
        Assert.All(data.Features.ToArray(), v => Assert.InRange(v, 0f, 1f));

        // Every image carries a visible digit: bright ink on a mostly dark background.
        for (int row = 0; row < data.Count; row++)
        {
            var pixels = data.Row(row).ToArray();
            Assert.True(pixels.Max() > 0.5f, $"row {row} has no ink");
            Assert.InRange(pixels.Count(v => v > 0.5f), 15, 400);
        }

        // Balanced in every index range too (the split takes contiguous ranges).
        Assert.All(data.Slice(0, 500).ClassHistogram(), n => Assert.InRange(n, 30, 70));
    }

    [Fact]
    public void Count_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDigits.Generate(0, seed: 1));
    }
}

using Microsoft.ML.Pruning.Data;

namespace Microsoft.ML.Pruning.Tests.Data;

public sealed class SyntheticShapesTests
{
    [Fact]
    public void Same_seed_gives_identical_data_and_other_seeds_differ()
    {
        var a = SyntheticShapes.Generate(200, seed: 42);
        var b = SyntheticShapes.Generate(200, seed: 42);
        var c = SyntheticShapes.Generate(200, seed: 43);

        Assert.True(a.Features.SequenceEqual(b.Features));
        Assert.True(a.Labels.SequenceEqual(b.Labels));
        Assert.False(a.Features.SequenceEqual(c.Features));
    }

    [Fact]
    public void Rows_do_not_depend_on_thread_scheduling()
    {
        var data = SyntheticShapes.Generate(40, seed: 8);

        var pixels = new float[SyntheticShapes.Shape.Size];
        foreach (int row in new[] { 0, 21, 39 })
        {
            Array.Clear(pixels);
            SyntheticShapes.Draw(pixels, (int)data.Labels[row], SeededRandom.For(8, row));
            Assert.True(data.Row(row).SequenceEqual(pixels));
        }
    }

    [Fact]
    public void Classes_are_balanced_and_values_lie_in_unit_range()
    {
        var data = SyntheticShapes.Generate(1000, seed: 2);

        Assert.All(data.ClassHistogram(), n => Assert.Equal(100, n));
        Assert.Equal(new ImageShape(3, 32, 32), data.Shape);
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(10, SyntheticShapes.ClassNames.Count);
        Assert.All(data.Features.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Colour_alone_does_not_tell_the_class()
    {
        var data = SyntheticShapes.Generate(3000, seed: 3);
        int plane = 32 * 32;

        // The mean of each colour channel, per class, stays close to the overall mean.
        var sums = new double[10, 3];
        var overall = new double[3];
        for (int row = 0; row < data.Count; row++)
        {
            var pixels = data.Row(row);
            for (int channel = 0; channel < 3; channel++)
            {
                double mean = 0;
                for (int i = 0; i < plane; i++)
                {
                    mean += pixels[channel * plane + i];
                }

                sums[data.Labels[row], channel] += mean / plane;
                overall[channel] += mean / plane / data.Count;
            }
        }

        var histogram = data.ClassHistogram();
        for (int k = 0; k < 10; k++)
        {
            for (int channel = 0; channel < 3; channel++)
            {
                Assert.InRange(sums[k, channel] / histogram[k], overall[channel] - 0.05, overall[channel] + 0.05);
            }
        }
    }
}

using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Tests.Stopping;

/// <summary>The three distance measures, computed by hand.</summary>
public sealed class FlowDistanceTests
{
    private static readonly double[] Dense = { 0.5, 0.25, 0.001 };
    private static readonly double[] Current = { 0.55, 0.2, 0.0011 };

    [Fact]
    public void EuclideanIsTheReferenceCodesNormOfTheDifference()
    {
        double expected = Math.Sqrt((0.05 * 0.05) + (0.05 * 0.05) + (0.0001 * 0.0001));

        Assert.Equal(expected, FlowMeasurement.Distance(Current, Dense, FlowDistanceMeasure.Euclidean), 12);
    }

    [Fact]
    public void RelativeDividesByTheDenseNorm()
    {
        double norm = Math.Sqrt((0.5 * 0.5) + (0.25 * 0.25) + (0.001 * 0.001));

        Assert.Equal(FlowMeasurement.Distance(Current, Dense) / norm, FlowMeasurement.Distance(Current, Dense, FlowDistanceMeasure.Relative), 12);
    }

    [Fact]
    public void LayerRelativeWeighsEveryLayerByItsOwnScale()
    {
        // Each layer 10%, 20% and 10% away from its dense value: the small third layer counts as much as the others.
        double expected = Math.Sqrt(((0.1 * 0.1) + (0.2 * 0.2) + (0.1 * 0.1)) / 3);

        Assert.Equal(expected, FlowMeasurement.Distance(Current, Dense, FlowDistanceMeasure.LayerRelative), 9);
        // The same relative changes on another scale (another network) give the same distance.
        var scaled = Dense.Select(v => v * 1e-4).ToArray();
        var scaledNow = Current.Select(v => v * 1e-4).ToArray();
        Assert.Equal(expected, FlowMeasurement.Distance(scaledNow, scaled, FlowDistanceMeasure.LayerRelative), 9);
    }

    [Fact]
    public void ALayerWithZeroDenseFlowIsZeroWhenUnchangedAndInfiniteWhenNot()
    {
        Assert.Equal(0, FlowMeasurement.Distance(new[] { 0.0, 1.0 }, new[] { 0.0, 1.0 }, FlowDistanceMeasure.LayerRelative));
        Assert.Equal(double.PositiveInfinity, FlowMeasurement.Distance(new[] { 0.1, 1.0 }, new[] { 0.0, 1.0 }, FlowDistanceMeasure.LayerRelative));
        Assert.Throws<ArgumentException>(() => FlowMeasurement.Distance(new[] { 1.0 }, new[] { 1.0, 2.0 }, FlowDistanceMeasure.LayerRelative));
    }
}

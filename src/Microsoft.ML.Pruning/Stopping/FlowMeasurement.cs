namespace Microsoft.ML.Pruning.Stopping;

/// <summary>The flows of a network on the probe set.</summary>
/// <param name="Information">Information flow per consecutive pair of main-path prunable layers, or null if not measured.</param>
/// <param name="Gradient">Gradient flow per prunable layer, or null if not measured.</param>
/// <param name="Seconds">Wall time of the measurement.</param>
public sealed record FlowMeasurement(IReadOnlyList<double>? Information, IReadOnlyList<double>? Gradient, double Seconds)
{
    /// <summary>The information flow per pair by <see cref="InformationFlowStatistic.MeanAbsolute"/> (measured with
    /// <see cref="Information"/>, from the same sums), or null if information flow was not measured.</summary>
    public IReadOnlyList<double>? InformationAbsolute { get; init; }

    /// <summary>The gradient flow per prunable layer by <see cref="GradientFlowStatistic.MeanOverSurvivingWeights"/>
    /// (measured with <see cref="Gradient"/>, from the same backward pass), or null if gradient flow was not measured.</summary>
    public IReadOnlyList<double>? GradientSurviving { get; init; }

    /// <summary>The gradient flow by <paramref name="statistic"/>, or null if gradient flow was not measured.</summary>
    public IReadOnlyList<double>? GradientBy(GradientFlowStatistic statistic) =>
        statistic == GradientFlowStatistic.MeanOverSurvivingWeights ? GradientSurviving : Gradient;

    /// <summary>Euclidean distance between two flow vectors of the same length.</summary>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public static double Distance(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"Flow vectors differ in length ({a.Count} vs {b.Count}).");
        }

        double sum = 0;
        for (int i = 0; i < a.Count; i++)
        {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }

        return Math.Sqrt(sum);
    }

    /// <summary>The distance of <paramref name="current"/> from <paramref name="dense"/> by <paramref name="measure"/>.</summary>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public static double Distance(IReadOnlyList<double> current, IReadOnlyList<double> dense, FlowDistanceMeasure measure)
    {
        if (measure == FlowDistanceMeasure.LayerRelative)
        {
            return LayerRelativeDistance(current, dense);
        }

        double distance = Distance(current, dense);
        if (measure == FlowDistanceMeasure.Euclidean)
        {
            return distance;
        }

        double norm = Math.Sqrt(dense.Sum(v => v * v));
        // A dense flow of all zeros has no scale to compare with: any change is infinitely large, none is zero.
        return norm > 0 ? distance / norm : (distance == 0 ? 0 : double.PositiveInfinity);
    }

    private static double LayerRelativeDistance(IReadOnlyList<double> current, IReadOnlyList<double> dense)
    {
        if (current.Count != dense.Count)
        {
            throw new ArgumentException($"Flow vectors differ in length ({current.Count} vs {dense.Count}).");
        }

        double sum = 0;
        for (int l = 0; l < dense.Count; l++)
        {
            double change = current[l] - dense[l];
            double scale = Math.Abs(dense[l]);
            // A layer whose dense flow is exactly zero has no scale: unchanged it adds nothing, changed it is infinitely far.
            double relative = scale > 0 ? change / scale : (change == 0 ? 0 : double.PositiveInfinity);
            sum += relative * relative;
        }

        return dense.Count == 0 ? 0 : Math.Sqrt(sum / dense.Count);
    }
}

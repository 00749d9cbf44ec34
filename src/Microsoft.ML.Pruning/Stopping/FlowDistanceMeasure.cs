namespace Microsoft.ML.Pruning.Stopping;

/// <summary>How <see cref="IcpStoppingPolicy"/> turns the current and the dense flow vectors into one distance.</summary>
public enum FlowDistanceMeasure
{
    /// <summary>The reference code's <c>||F - F*||_2</c>: its scale depends on the network (number of layers, size of
    /// the flows), so one epsilon does not serve every network.</summary>
    Euclidean,

    /// <summary><c>||F - F*||_2 / ||F*||_2</c>: the change relative to the dense flow, a pure number whatever the
    /// network's depth or the flow's units (gradient magnitudes of 1e-5 and correlations of 0.3 alike).</summary>
    Relative,
}

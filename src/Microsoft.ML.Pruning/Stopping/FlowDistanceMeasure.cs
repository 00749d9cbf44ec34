namespace Microsoft.ML.Pruning.Stopping;

/// <summary>How <see cref="IcpStoppingPolicy"/> turns the current and the dense flow vectors into one distance.</summary>
public enum FlowDistanceMeasure
{
    /// <summary>The reference code's <c>||F - F*||_2</c>: its scale depends on the network (number of layers, size of
    /// the flows), so one epsilon does not serve every network.</summary>
    Euclidean,

    /// <summary><c>||F - F*||_2 / ||F*||_2</c>: the change relative to the dense flow vector as a whole. One large entry
    /// (the output layer's gradient) dominates it, and a dense flow near zero (correlation means that cancel) inflates it.</summary>
    Relative,

    /// <summary>
    /// <c>sqrt(mean_l ((F_l - F*_l) / |F*_l|)^2)</c>: each layer's change relative to its own dense value, averaged over the
    /// layers (root mean square). A pure number that does not grow with depth and weighs every layer alike: a distance of
    /// 0.1 means the layers' flows are about 10% away from the dense network's, on any network. The default.
    /// </summary>
    LayerRelative,
}

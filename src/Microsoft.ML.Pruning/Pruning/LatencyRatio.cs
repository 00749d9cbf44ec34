namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// A model's latency against its baseline's at one batch size, from runs interleaved pair by pair (model and baseline
/// alternately first), so that slow phases of the machine hit both alike. Below 1: the model is faster.
/// </summary>
public sealed record LatencyRatio
{
    /// <summary>Rows per run.</summary>
    public int Batch { get; init; }

    /// <summary>Timed pairs.</summary>
    public int Pairs { get; init; }

    /// <summary>Median of the per-pair ratios (model milliseconds / baseline milliseconds).</summary>
    public double Median { get; init; }

    /// <summary>25th percentile of the per-pair ratios.</summary>
    public double P25 { get; init; }

    /// <summary>75th percentile of the per-pair ratios.</summary>
    public double P75 { get; init; }
}

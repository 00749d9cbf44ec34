namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The latency of one model at one batch size: timed runs of the same input, summarised by order statistics.</summary>
public sealed record LatencyFigures
{
    /// <summary>Rows per run.</summary>
    public int Batch { get; init; }

    /// <summary>Timed runs (warm-up runs excluded).</summary>
    public int Runs { get; init; }

    /// <summary>Median milliseconds per run.</summary>
    public double MedianMs { get; init; }

    /// <summary>25th percentile of milliseconds per run (with <see cref="P75Ms"/>, the spread).</summary>
    public double P25Ms { get; init; }

    /// <summary>75th percentile of milliseconds per run.</summary>
    public double P75Ms { get; init; }

    /// <summary>Fastest run, milliseconds.</summary>
    public double MinMs { get; init; }

    /// <summary>Slowest run, milliseconds.</summary>
    public double MaxMs { get; init; }

    /// <summary>Rows scored per second at the median: <see cref="Batch"/> / <see cref="MedianMs"/>.</summary>
    public double RowsPerSecond => MedianMs > 0 ? Batch * 1000.0 / MedianMs : 0;
}

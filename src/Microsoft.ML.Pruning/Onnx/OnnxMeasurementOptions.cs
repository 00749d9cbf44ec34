namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// How <see cref="OnnxModelMeasurement"/> measures: batch sizes, how long latency is sampled, threads, the input seed.
/// The defaults take a few hundred milliseconds to a couple of seconds for the built-in networks (VGG at batch 64
/// takes longer: every batch size gets at least <see cref="MinRuns"/> timed runs); raise <see cref="MinRuns"/> and
/// <see cref="SecondsPerBatch"/> for publishable figures on a quiet machine.
/// </summary>
public sealed record OnnxMeasurementOptions
{
    private static readonly IReadOnlyList<int> DefaultBatchSizes = Array.AsReadOnly(new[] { 1, 64 });

    /// <summary>Batch sizes to time (rows per run); 1 and 64 by default.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = DefaultBatchSizes;

    /// <summary>Untimed runs per model and batch size before timing starts (first-run allocations, caches); 3 by default.</summary>
    public int WarmupRuns { get; init; } = 3;

    /// <summary>Timed runs per model and batch size at least; 5 by default.</summary>
    public int MinRuns { get; init; } = 5;

    /// <summary>Timed runs per model and batch size at most; 10,000 by default.</summary>
    public int MaxRuns { get; init; } = 10_000;

    /// <summary>Seconds of timing per batch size (model and baseline together), after which sampling stops once
    /// <see cref="MinRuns"/> are done; 0.25 by default.</summary>
    public double SecondsPerBatch { get; init; } = 0.25;

    /// <summary>ONNX Runtime intra-op threads per session; 0 (the default) leaves ONNX Runtime's own choice (one per
    /// physical core), as a host that does not set it gets.</summary>
    public int Threads { get; init; }

    /// <summary>Sessions created per model to measure peak memory (model and baseline alternately); the median is
    /// reported. 3 by default; 0 leaves memory unmeasured.</summary>
    public int MemoryRuns { get; init; } = 3;

    /// <summary>Seed of the random input (uniform in [-1, 1), the model's input shape with the batch dimension set).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (BatchSizes is null || BatchSizes.Count == 0 || BatchSizes.Any(b => b <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSizes), BatchSizes is null ? "null" : string.Join(",", BatchSizes),
                "Batch sizes must be one or more positive numbers of rows.");
        }

        if (WarmupRuns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupRuns), WarmupRuns, "Warm-up runs must be 0 or more.");
        }

        if (MinRuns < 1 || MaxRuns < MinRuns)
        {
            throw new ArgumentOutOfRangeException(nameof(MinRuns), MinRuns, $"Timed runs: at least 1, and MaxRuns ({MaxRuns}) no fewer than MinRuns.");
        }

        if (!(SecondsPerBatch >= 0) || double.IsInfinity(SecondsPerBatch))
        {
            throw new ArgumentOutOfRangeException(nameof(SecondsPerBatch), SecondsPerBatch, "Seconds per batch size must be 0 or more.");
        }

        if (MemoryRuns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryRuns), MemoryRuns, "Memory runs must be 0 (not measured) or more.");
        }

        if (Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 0 (ONNX Runtime's default) or more.");
        }
    }
}

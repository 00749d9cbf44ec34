using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using Xunit.Abstractions;

namespace Microsoft.ML.Pruning.Tests.Data;

/// <summary>
/// Synthetic data is generated on every default run, so it must stay fast: 10,000 rows take well under a second
/// on two cores. The bounds are loose; they catch gross slow-downs, not timing noise.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class SyntheticGenerationTimingTests
{
    private readonly ITestOutputHelper _output;

    public SyntheticGenerationTimingTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Ten_thousand_digits_generate_quickly()
    {
        var elapsed = Time(() => SyntheticDigits.Generate(10_000, seed: 0));

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"10,000 digits took {elapsed.TotalSeconds:F1} s.");
    }

    [Fact]
    public void Ten_thousand_shapes_generate_quickly()
    {
        var elapsed = Time(() => SyntheticShapes.Generate(10_000, seed: 0));

        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"10,000 shapes took {elapsed.TotalSeconds:F1} s.");
    }

    private TimeSpan Time(Func<InMemoryDataset> generate)
    {
        generate(); // warm up the JIT
        var watch = Stopwatch.StartNew();
        var data = generate();
        watch.Stop();
        Assert.Equal(10_000, data.Count);
        _output.WriteLine($"{data.Name}: {data.Count} rows in {watch.Elapsed.TotalSeconds:F2} s on {Environment.ProcessorCount} cores");
        return watch.Elapsed;
    }
}

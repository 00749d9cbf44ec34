using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Pruning.Onnx;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>The options of the deployment measurement (ONNX Runtime latency, memory, MACs) that <c>inspect --measure</c>,
/// <c>prune</c> and <c>bench</c> share.</summary>
internal sealed class MeasureOptions
{
    private readonly bool _zeroRunsSkips;

    /// <param name="zeroRunsSkips">True where measuring is on by default and <c>--measure-runs 0</c> turns it off (prune, bench).</param>
    public MeasureOptions(bool zeroRunsSkips)
    {
        _zeroRunsSkips = zeroRunsSkips;
        Runs = new("--measure-runs")
        {
            Description = "Timed ONNX Runtime runs per model and batch size, at least"
                + (zeroRunsSkips ? "; 0 skips the deployment figures (latency, memory, MACs against the dense counterpart)." : "."),
            DefaultValueFactory = _ => new OnnxMeasurementOptions().MinRuns,
        };
    }

    public Option<int> Runs { get; }

    public Option<double> Seconds { get; } = new("--measure-seconds")
    {
        Description = "Seconds of timing per batch size (model and dense counterpart together); more runs follow until it is spent.",
        DefaultValueFactory = _ => new OnnxMeasurementOptions().SecondsPerBatch,
    };

    public Option<string> Batches { get; } = new("--measure-batches") { Description = "Batch sizes to time, comma-separated.", DefaultValueFactory = _ => "1,64" };

    public Option<int> Threads { get; } = new("--measure-threads") { Description = "ONNX Runtime intra-op threads; 0 for its default (one per physical core).", DefaultValueFactory = _ => 0 };

    public void AddTo(System.CommandLine.Command command)
    {
        foreach (Option option in new Option[] { Runs, Seconds, Batches, Threads })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The measurement options, or null when <c>--measure-runs 0</c> turns measuring off; a bad value is a usage error.</summary>
    public OnnxMeasurementOptions? Read(ParseResult parse)
    {
        int runs = parse.GetValue(Runs);
        if (runs == 0 && _zeroRunsSkips)
        {
            return null;
        }

        if (runs < 1)
        {
            throw new CliUsageException($"--measure-runs must be {(_zeroRunsSkips ? "0 (off) or more" : "1 or more")} (got {runs}).");
        }

        string batches = parse.GetValue(Batches)!;
        var sizes = batches.Split(',', StringSplitOptions.TrimEntries).Select(b =>
            int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size > 0
                ? size
                : throw new CliUsageException($"--measure-batches must be positive whole numbers separated by commas (got '{batches}').")).ToList();
        double seconds = parse.GetValue(Seconds);
        if (!(seconds >= 0) || double.IsInfinity(seconds))
        {
            throw new CliUsageException($"--measure-seconds must be 0 or more (got {seconds.ToString(CultureInfo.InvariantCulture)}).");
        }

        int threads = parse.GetValue(Threads);
        if (threads < 0)
        {
            throw new CliUsageException($"--measure-threads must be 0 (ONNX Runtime's default) or more (got {threads}).");
        }

        var options = new OnnxMeasurementOptions { MinRuns = runs, MaxRuns = Math.Max(runs, new OnnxMeasurementOptions().MaxRuns), SecondsPerBatch = seconds, BatchSizes = sizes, Threads = threads };
        options.Validate();
        return options;
    }
}

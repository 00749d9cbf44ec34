using System.Runtime.InteropServices;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Training;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Small data, small networks and fast options shared by the pruning-engine tests, plus bitwise views of state.</summary>
internal static class PruningTestKit
{
    private static readonly Lazy<DataSplit> DigitsSplit = new(() => SyntheticDigits.Generate(400, seed: 21).SplitByIndex(0.6, 0.2, 0.2));

    /// <summary>400 synthetic digits: 240 training, 80 validation, 80 test rows.</summary>
    public static DataSplit Digits => DigitsSplit.Value;

    /// <summary>An MLP over the 784 digit pixels with the given hidden widths and ten outputs.</summary>
    public static NetworkDefinition DigitMlp(params int[] hidden) =>
        NetworkArchitecture.Mlp(hidden).Define(SyntheticDigits.Side * SyntheticDigits.Side, null, SyntheticDigits.ClassCount);

    /// <summary>A fast schedule: 1 dense epoch, 2 rounds of 20% (output layer at full rate), 1 epoch per round, Adam.</summary>
    public static IterativePrunerOptions FastOptions() => new()
    {
        Method = "test",
        Rounds = 2,
        Rate = PruningRate.Fixed(0.2),
        OutputLayerRateFactor = 1,
        PretrainEpochs = 1,
        Stopping = StoppingPolicy.FixedEpochs(1),
        Training = new TrainingOptions { Optimizer = OptimizerOptions.Adam(2e-3), BatchSize = 30, ProgressInterval = 2 },
        Seed = 3,
    };

    /// <summary>Runs the pruner synchronously.</summary>
    public static PruningResult Run(IterativePrunerOptions options, NetworkDefinition? definition = null, Action<PruningProgress>? progress = null,
        CancellationToken cancellationToken = default)
        => new IterativePruner(options).Run(definition ?? DigitMlp(16), Digits, progress is null ? null : new SynchronousProgress<PruningProgress>(progress), cancellationToken);

    /// <summary>The raw bytes of every parameter and buffer, by state key.</summary>
    public static Dictionary<string, byte[]> StateBytes(nn.Module module)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var noGrad = torch.no_grad();
        foreach (var (key, value) in module.state_dict())
        {
            using var scope = torch.NewDisposeScope();
            result[key] = value.detach().cpu().contiguous().bytes.ToArray();
        }

        return result;
    }

    /// <summary>The float values of a tensor, in row-major order.</summary>
    public static float[] Values(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.detach().cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>The flags of a bool tensor, in row-major order.</summary>
    public static bool[] Flags(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.cpu().contiguous().data<bool>().ToArray();
    }

    /// <summary>Each mask's bits, by layer name.</summary>
    public static Dictionary<string, byte[]> MaskBits(MaskSet masks) => masks.Masks.ToDictionary(m => m.Name, m => m.ToBits());

    /// <summary>The values of a float array as their IEEE bit patterns (so 0.0 and -0.0 differ).</summary>
    public static int[] Bits(ReadOnlySpan<float> values) => MemoryMarshal.Cast<float, int>(values).ToArray();

    /// <summary>Overwrites a layer's weight with <paramref name="values"/> (row-major).</summary>
    public static void SetWeight(PrunableLayer layer, float[] values)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        layer.Weight.copy_(torch.tensor(values, layer.Weight.shape));
    }

    /// <summary>
    /// Survivors after <paramref name="rounds"/> steps that each remove <c>round(rate * survivors)</c> (halves away
    /// from zero): the exact count the magnitude criterion must leave.
    /// </summary>
    public static long SurvivorsAfter(long count, double rate, int rounds)
    {
        long n = count;
        for (int i = 0; i < rounds; i++)
        {
            n -= (long)Math.Round(rate * n, MidpointRounding.AwayFromZero);
        }

        return n;
    }

    /// <summary>A report with the timings (which differ run to run) zeroed, as JSON, for exact comparison.</summary>
    public static string WithoutTimings(PruningReport report) => (report with
    {
        Dense = report.Dense! with { WallSeconds = 0 },
        Rounds = report.Rounds.Select(r => r with { WallSeconds = 0, FlowSeconds = 0 }).ToList(),
        TotalWallSeconds = 0,
        TotalFlowSeconds = 0,
    }).ToJson();
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Stopping;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Stopping;

public sealed class InformationFlowTests
{
    public InformationFlowTests() => TorchSharpNativeLoader.EnsureLoaded();

    /// <summary>The definition, computed directly in double precision: standardise, C = Za^T Zb / N, mean (of |C| when asked).</summary>
    private static double NaiveFlow(double[,] a, double[,] b, bool absolute = false)
    {
        int n = a.GetLength(0), ua = a.GetLength(1), ub = b.GetLength(1);
        double[,] Standardise(double[,] x, int units)
        {
            var z = new double[n, units];
            for (int u = 0; u < units; u++)
            {
                double mean = 0;
                for (int i = 0; i < n; i++)
                {
                    mean += x[i, u];
                }

                mean /= n;
                double variance = 0;
                for (int i = 0; i < n; i++)
                {
                    variance += (x[i, u] - mean) * (x[i, u] - mean);
                }

                double std = Math.Max(Math.Sqrt(variance / n), 1e-6);
                for (int i = 0; i < n; i++)
                {
                    z[i, u] = (x[i, u] - mean) / std;
                }
            }

            return z;
        }

        var za = Standardise(a, ua);
        var zb = Standardise(b, ub);
        double total = 0;
        for (int p = 0; p < ua; p++)
        {
            for (int q = 0; q < ub; q++)
            {
                double c = 0;
                for (int i = 0; i < n; i++)
                {
                    c += za[i, p] * zb[i, q];
                }

                total += absolute ? Math.Abs(c / n) : c / n;
            }
        }

        return total / (ua * ub);
    }

    private static (double[,] Values, Tensor Tensor) RandomActivations(SeededRandom rng, int n, int units, double scale, double shift)
    {
        var values = new double[n, units];
        var flat = new float[n * units];
        for (int i = 0; i < n; i++)
        {
            for (int u = 0; u < units; u++)
            {
                float v = (float)(rng.NextGaussian() * scale * (u + 1) + shift);
                values[i, u] = v;
                flat[i * units + u] = v;
            }
        }

        return (values, torch.tensor(flat, new long[] { n, units }));
    }

    [Fact]
    public void MatchesANaiveDoublePrecisionComputation()
    {
        var rng = new SeededRandom(5);
        var (a, ta) = RandomActivations(rng, 97, 6, 1.0, 3.0);
        // b correlated with a, so the flow is far from 0.
        var bValues = new double[97, 4];
        var bFlat = new float[97 * 4];
        for (int i = 0; i < 97; i++)
        {
            for (int u = 0; u < 4; u++)
            {
                float v = (float)((a[i, u] + a[i, 5]) * 0.8 + rng.NextGaussian() * 0.5);
                bValues[i, u] = v;
                bFlat[i * 4 + u] = v;
            }
        }

        using var tb = torch.tensor(bFlat, new long[] { 97, 4 });
        using var accumulator = new InformationFlowAccumulator(2);
        // Fed in three uneven batches: the result must not depend on the batching.
        foreach (var (start, count) in new[] { (0, 40), (40, 50), (90, 7) })
        {
            using var scope = torch.NewDisposeScope();
            accumulator.Add(new[] { ta.narrow(0, start, count), tb.narrow(0, start, count) });
        }

        double expected = NaiveFlow(a, bValues);
        Assert.Equal(expected, accumulator.Flows()[0], 5);
        Assert.True(Math.Abs(expected) > 0.05, $"test data should correlate (flow {expected})");
        Assert.Equal(NaiveFlow(a, bValues, absolute: true), accumulator.Flows(InformationFlowStatistic.MeanAbsolute)[0], 5);
        ta.Dispose();
    }

    [Fact]
    public void ConvOutputsAreAveragedOverHeightAndWidth()
    {
        var rng = new SeededRandom(9);
        int n = 20, c = 3, h = 4, w = 5;
        var conv = new float[n * c * h * w];
        for (int i = 0; i < conv.Length; i++)
        {
            conv[i] = (float)rng.NextGaussian();
        }

        using var tConv = torch.tensor(conv, new long[] { n, c, h, w });
        var (dense, tDense) = RandomActivations(rng, n, 2, 1.0, 0.0);
        var pooled = new double[n, c];
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                double s = 0;
                for (int k = 0; k < h * w; k++)
                {
                    s += conv[((i * c) + ch) * h * w + k];
                }

                pooled[i, ch] = s / (h * w);
            }
        }

        using var accumulator = new InformationFlowAccumulator(2);
        accumulator.Add(new[] { tConv, tDense });

        Assert.Equal(NaiveFlow(pooled, dense), accumulator.Flows()[0], 5);
        tDense.Dispose();
    }

    [Fact]
    public void AConstantUnitDoesNotDivideByZero()
    {
        using var a = torch.ones(10, 3);
        using var b = torch.randn(10, 2);
        using var accumulator = new InformationFlowAccumulator(2);
        accumulator.Add(new[] { a, b });

        Assert.True(double.IsFinite(accumulator.Flows()[0]));
    }

    [Fact]
    public void MeanAbsoluteCorrelationDoesNotCancelWhereTheMeanDoes()
    {
        // b's two units copy a's unit with opposite signs: correlations +1 and -1, mean 0, mean absolute 1.
        var rng = new SeededRandom(3);
        var a = new float[50];
        var b = new float[100];
        for (int i = 0; i < 50; i++)
        {
            a[i] = (float)rng.NextGaussian();
            b[2 * i] = a[i];
            b[(2 * i) + 1] = -a[i];
        }

        using var ta = torch.tensor(a, new long[] { 50, 1 });
        using var tb = torch.tensor(b, new long[] { 50, 2 });
        using var accumulator = new InformationFlowAccumulator(2);
        accumulator.Add(new[] { ta, tb });

        Assert.Equal(0.0, accumulator.Flows(InformationFlowStatistic.Mean)[0], 5);
        Assert.Equal(1.0, accumulator.Flows(InformationFlowStatistic.MeanAbsolute)[0], 5);
    }
}

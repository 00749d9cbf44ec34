using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// Information flow in one pass over the probe set, from running sums: for each layer the per-unit sums of
/// <c>x</c> and <c>x²</c>, and for each consecutive pair the cross sums <c>x_l^T x_(l+1)</c>, all in float64. From them
/// the standardised correlation <c>C_l = Z_l^T Z_(l+1) / N</c> (std floored at 1e-6) and its mean, per pair.
/// The sums do not depend on how the probe set is cut into batches or in which order they come.
/// </summary>
public sealed class InformationFlowAccumulator : IDisposable
{
    private const double StdFloor = 1e-6;
    private readonly Tensor?[] _sum;
    private readonly Tensor?[] _sumSquares;
    private readonly Tensor?[] _cross;
    private long _rows;

    /// <summary>Creates an accumulator for <paramref name="layerCount"/> layers in forward order.</summary>
    public InformationFlowAccumulator(int layerCount)
    {
        if (layerCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "Information flow needs at least two layers on the main path.");
        }

        LayerCount = layerCount;
        _sum = new Tensor?[layerCount];
        _sumSquares = new Tensor?[layerCount];
        _cross = new Tensor?[layerCount - 1];
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount { get; }

    /// <summary>Rows accumulated so far.</summary>
    public long Rows => _rows;

    /// <summary>
    /// Adds one batch of layer outputs: <paramref name="outputs"/>[l] is <c>[N, units]</c>, or <c>[N, C, H, W]</c>
    /// (averaged over H and W to one value per channel). All layers must come from the same rows.
    /// </summary>
    public void Add(IReadOnlyList<Tensor> outputs)
    {
        if (outputs.Count != LayerCount)
        {
            throw new ArgumentException($"Expected outputs of {LayerCount} layers, got {outputs.Count}.", nameof(outputs));
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var units = new Tensor[LayerCount];
        for (int l = 0; l < LayerCount; l++)
        {
            var x = outputs[l].detach();
            units[l] = (x.dim() == 4 ? x.mean(new long[] { 2, 3 }) : x).to_type(ScalarType.Float64);
        }

        long n = units[0].shape[0];
        for (int l = 0; l < LayerCount; l++)
        {
            if (units[l].shape[0] != n)
            {
                throw new ArgumentException($"Layer {l} has {units[l].shape[0]} rows but layer 0 has {n}.", nameof(outputs));
            }

            Accumulate(ref _sum[l], units[l].sum(dim: 0));
            Accumulate(ref _sumSquares[l], units[l].square().sum(dim: 0));
            if (l + 1 < LayerCount)
            {
                Accumulate(ref _cross[l], units[l].t().matmul(units[l + 1]));
            }
        }

        _rows += n;
    }

    /// <summary>The information flow of each consecutive pair: the mean of its standardised correlation matrix.</summary>
    public double[] Flows() => Flows(InformationFlowStatistic.Mean);

    /// <summary>The information flow of each consecutive pair, summarising its standardised correlation matrix by
    /// <paramref name="statistic"/>.</summary>
    public double[] Flows(InformationFlowStatistic statistic)
    {
        if (_rows == 0)
        {
            throw new InvalidOperationException("No rows were accumulated.");
        }

        using var scope = torch.NewDisposeScope();
        var flows = new double[LayerCount - 1];
        for (int l = 0; l + 1 < LayerCount; l++)
        {
            var meanA = _sum[l]! / _rows;
            var meanB = _sum[l + 1]! / _rows;
            var stdA = (_sumSquares[l]! / _rows - meanA.square()).clamp_min(0).sqrt().clamp_min(StdFloor);
            var stdB = (_sumSquares[l + 1]! / _rows - meanB.square()).clamp_min(0).sqrt().clamp_min(StdFloor);
            // E[(a-ma)(b-mb)] = E[ab] - ma mb, then divide by the stds: the mean of Z_a^T Z_b / N.
            var covariance = _cross[l]! / _rows - meanA.unsqueeze(1) * meanB.unsqueeze(0);
            var correlation = covariance / (stdA.unsqueeze(1) * stdB.unsqueeze(0));
            flows[l] = (statistic == InformationFlowStatistic.MeanAbsolute ? correlation.abs().mean() : correlation.mean()).item<double>();
        }

        return flows;
    }

    private static void Accumulate(ref Tensor? total, Tensor value)
    {
        if (total is null)
        {
            total = value.clone().DetachFromDisposeScope();
        }
        else
        {
            total.add_(value);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _sum.Concat(_sumSquares).Concat(_cross))
        {
            t?.Dispose();
        }
    }
}

using System.Diagnostics;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>
/// A fixed probe set (training rows chosen once by seed) and the flow measurements on it. Information and gradient
/// flow come from the same forward pass: the prunable layers' outputs are caught by the network's observer and folded
/// into running sums, and the loss of that pass is back-propagated for the gradients. Nothing walks the data twice.
/// </summary>
public sealed class FlowProbe : IDisposable
{
    private readonly Tensor _features;
    private readonly Tensor _labels;
    private readonly PredictionTask _task;

    /// <summary>Chooses <paramref name="size"/> rows of <paramref name="train"/> (all when fewer) by <paramref name="seed"/>.</summary>
    /// <param name="train">The training rows.</param>
    /// <param name="size">Rows in the probe set.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="task">The task, whose loss gradient flow back-propagates; null for multiclass cross-entropy.</param>
    /// <param name="batchSize">Rows per forward pass.</param>
    public FlowProbe(InMemoryDataset train, int size, long seed, PredictionTask? task = null, int batchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (size <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The probe size must be positive.");
        }

        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        }

        var rows = SeededRandom.For(seed, 0x1C9).Permutation(train.Count).Take(Math.Min(size, train.Count)).Order().ToArray();
        (_features, _labels) = train.Select(rows, $"{train.Name} (probe)").ToTensors();
        _features.DetachFromDisposeScope();
        _labels.DetachFromDisposeScope();
        Count = rows.Length;
        BatchSize = batchSize;
        _task = task ?? PredictionTask.Multiclass(2);
    }

    /// <summary>Rows in the probe set.</summary>
    public int Count { get; }

    /// <summary>Rows per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Measures the flows of <paramref name="network"/> (in evaluation mode) on the probe set.
    /// </summary>
    /// <param name="network">The network; its gradients are cleared afterwards.</param>
    /// <param name="kinds">Which flows to measure.</param>
    /// <param name="prunedMasks">For gradient flow: per prunable layer, true where a weight is pruned; null when none is.</param>
    /// <param name="batchOrder">Order in which the probe's batches are visited (null: in order). The result does not depend on it.</param>
    public FlowMeasurement Measure(PrunableNetwork network, FlowKind kinds, IReadOnlyList<Tensor>? prunedMasks = null, IReadOnlyList<int>? batchOrder = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var clock = Stopwatch.StartNew();
        bool information = kinds.HasFlag(FlowKind.Information);
        bool gradient = kinds.HasFlag(FlowKind.Gradient);
        var mainPath = network.PrunableLayers.Where(l => l.Info.OnMainPath).Select(l => l.Index).ToArray();
        var slotOf = new int[network.PrunableLayers.Count];
        Array.Fill(slotOf, -1);
        for (int s = 0; s < mainPath.Length; s++)
        {
            slotOf[mainPath[s]] = s;
        }

        using var accumulator = information ? new InformationFlowAccumulator(mainPath.Length) : null;
        var captured = new Tensor[mainPath.Length];
        var previousObserver = network.PrunableOutputObserver;
        bool wasTraining = network.training;
        network.eval();
        ZeroGradients(network);
        try
        {
            if (information)
            {
                network.PrunableOutputObserver = (index, output) =>
                {
                    if (slotOf[index] >= 0)
                    {
                        captured[slotOf[index]] = output;
                    }
                };
            }

            int batches = (Count + BatchSize - 1) / BatchSize;
            foreach (int b in batchOrder ?? Enumerable.Range(0, batches).ToArray())
            {
                using var scope = torch.NewDisposeScope();
                long start = (long)b * BatchSize;
                long n = Math.Min(BatchSize, Count - start);
                var x = _features.narrow(0, start, n);
                if (gradient)
                {
                    var logits = network.forward(x);
                    // Each batch's mean loss weighted by its share of the probe: the gradient of the mean loss over all probe rows.
                    var loss = _task.Loss(logits, _labels.narrow(0, start, n)) * (n / (double)Count);
                    loss.backward();
                }
                else
                {
                    using var noGrad = torch.no_grad();
                    network.forward(x);
                }

                accumulator?.Add(captured);
            }

            var (overAll, overSurviving) = gradient ? GradientFlow(network, prunedMasks) : (null, null);
            return new FlowMeasurement(accumulator?.Flows(InformationFlowStatistic.Mean), overAll, clock.Elapsed.TotalSeconds)
            {
                InformationAbsolute = accumulator?.Flows(InformationFlowStatistic.MeanAbsolute),
                GradientSurviving = overSurviving,
            };
        }
        finally
        {
            network.PrunableOutputObserver = previousObserver;
            ZeroGradients(network);
            if (wasTraining)
            {
                network.train();
            }
        }
    }

    /// <summary>Per prunable layer, the mean masked gradient magnitude over all weights and over the surviving ones.</summary>
    private static (double[] OverAll, double[] OverSurviving) GradientFlow(PrunableNetwork network, IReadOnlyList<Tensor>? prunedMasks)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var overAll = new double[network.PrunableLayers.Count];
        var overSurviving = new double[network.PrunableLayers.Count];
        foreach (var layer in network.PrunableLayers)
        {
            var grad = layer.Weight.grad ?? throw new InvalidOperationException($"Layer '{layer.Name}' received no gradient.");
            var magnitude = grad.abs();
            long surviving = magnitude.numel();
            if (prunedMasks is not null)
            {
                magnitude = magnitude.masked_fill(prunedMasks[layer.Index], 0.0);
                surviving -= prunedMasks[layer.Index].sum().item<long>();
            }

            overAll[layer.Index] = magnitude.mean().item<float>();
            double sum = magnitude.sum(ScalarType.Float64).item<double>();
            // No step removes a layer's last weight, so a pruned layer keeps at least one survivor.
            overSurviving[layer.Index] = surviving > 0 ? sum / surviving : 0;
        }

        return (overAll, overSurviving);
    }

    private static void ZeroGradients(PrunableNetwork network)
    {
        using var scope = torch.NewDisposeScope(); // each .grad access makes a tensor wrapper
        using var noGrad = torch.no_grad();
        foreach (var p in network.parameters())
        {
            p.grad?.zero_();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _features.Dispose();
        _labels.Dispose();
    }
}

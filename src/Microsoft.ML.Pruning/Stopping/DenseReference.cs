using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Tasks;

namespace Microsoft.ML.Pruning.Stopping;

/// <summary>What stopping policies may know of the dense network, recorded after dense pre-training.</summary>
/// <param name="Network">The dense, trained network (read it, do not keep a reference: training goes on).</param>
/// <param name="Train">The training rows (policies draw probe sets from them).</param>
/// <param name="ValMetric">The dense network's validation metric (higher is better).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Task">The task, whose loss a gradient flow back-propagates.</param>
public sealed record DenseReference(PrunableNetwork Network, InMemoryDataset Train, double ValMetric, long Seed, PredictionTask Task);

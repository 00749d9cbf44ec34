using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// A pruned weight is exactly 0.0 whenever a user can look, whatever the optimizer: the mask set zeroes the
/// gradients of pruned weights before each step and the weights after it, so momentum, weight decay and Adam's
/// moments never revive them.
/// </summary>
public sealed class MaskEnforcementTests
{
    public MaskEnforcementTests() => TorchSharpNativeLoader.EnsureLoaded();

    public static TheoryData<string> Optimizers => new() { "sgd-momentum-decay", "adam-decay" };

    private static OptimizerOptions Optimizer(string name) => name switch
    {
        "sgd-momentum-decay" => OptimizerOptions.Sgd(0.05, momentum: 0.9, weightDecay: 1e-2),
        _ => OptimizerOptions.Adam(1e-2, weightDecay: 1e-2),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void PrunedWeightsStayExactlyZeroThroughTraining(string optimizer)
    {
        using var network = NetworkBuilder.Build(DigitMlp(16), seed: 5);
        using var masks = new MaskSet(network);
        using var train = new TensorBatches(Digits.Train, seed: 5);
        using var trainer = new Trainer(network, new TrainingOptions { Optimizer = Optimizer(optimizer), BatchSize = 30 });

        // Dense training first, so momentum and Adam moments are non-zero for the weights about to be pruned; the
        // optimizer is deliberately not reset, the hardest case for the masks.
        trainer.TrainEpoch(train, 0);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise);
        var prunedBefore = MaskBits(masks);
        var survivingBefore = masks.Masks.ToDictionary(m => m.Name, m => Values(m.Layer.Weight));
        Assert.All(masks.Masks, m => AssertPrunedWeightsAreZero(m));

        var checker = new StepChecker(masks);
        trainer.Hooks.Add(masks);
        trainer.Hooks.Add(checker);
        trainer.TrainEpoch(train, 1);
        trainer.TrainEpoch(train, 2);

        Assert.Equal(2 * train.BatchCount(30), checker.Steps);
        Assert.Equal(prunedBefore, MaskBits(masks));
        foreach (var mask in masks.Masks)
        {
            AssertPrunedWeightsAreZero(mask);
            // Training did happen: surviving weights moved.
            var after = Values(mask.Layer.Weight);
            var pruned = Flags(mask.Pruned);
            Assert.Contains(Enumerable.Range(0, after.Length), i => !pruned[i] && after[i] != survivingBefore[mask.Name][i]);
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void IterativePrunerReturnsExactZerosWherePruned(string optimizer)
    {
        var options = FastOptions() with { Rate = PruningRate.Fixed(0.5), Rewind = RewindPoint.None, Training = FastOptions().Training with { Optimizer = Optimizer(optimizer) } };
        using var result = Run(options);

        Assert.Equal(1 - 0.25, result.Masks.Sparsity, 2);
        Assert.All(result.Masks.Masks, m => AssertPrunedWeightsAreZero(m));
    }

    private static void AssertPrunedWeightsAreZero(PruningMask mask)
    {
        using var scope = torch.NewDisposeScope();
        var values = mask.Layer.Weight.detach().masked_select(mask.Pruned).data<float>().ToArray();
        Assert.Equal(mask.PrunedCount, values.Length);
        Assert.All(Bits(values), bits => Assert.Equal(0, bits)); // +0.0 exactly, not -0.0 or a tiny value
    }

    /// <summary>Runs after the mask set's hook: checks the gradient the optimizer steps with, and the weights after the step.</summary>
    private sealed class StepChecker(MaskSet masks) : ITrainingStepHook
    {
        public int Steps { get; private set; }

        public void BeforeStep(nn.Module model)
        {
            foreach (var mask in masks.Masks)
            {
                using var scope = torch.NewDisposeScope();
                var grad = mask.Layer.Weight.grad ?? throw new InvalidOperationException($"No gradient for {mask.Name}.");
                var pruned = grad.masked_select(mask.Pruned).data<float>().ToArray();
                Assert.All(Bits(pruned), bits => Assert.Equal(0, bits));
                // The loss does reach these weights: some surviving gradient is non-zero.
                Assert.True(grad.masked_select(mask.Pruned.logical_not()).abs().max().item<float>() > 0);
            }
        }

        public void AfterStep(nn.Module model)
        {
            Steps++;
            foreach (var mask in masks.Masks)
            {
                AssertPrunedWeightsAreZero(mask);
            }
        }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>
/// Code that runs around every optimizer step, e.g. pruning masks: zero the gradients of pruned weights before the
/// step and re-apply the masks after it, so momentum, weight decay and Adam never revive a pruned weight.
/// </summary>
public interface ITrainingStepHook
{
    /// <summary>Called after the backward pass, before <c>optimizer.step()</c>.</summary>
    void BeforeStep(nn.Module model);

    /// <summary>Called right after <c>optimizer.step()</c>.</summary>
    void AfterStep(nn.Module model);
}

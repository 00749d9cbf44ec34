namespace Microsoft.ML.Pruning.Stopping;

/// <summary>How a layer's masked weight gradients become one number, the layer's gradient flow.</summary>
public enum GradientFlowStatistic
{
    /// <summary>The mean of <c>|∂L/∂W ⊙ M|</c> over all of the layer's weights, pruned ones counting as zero (the
    /// reference code's definition). It falls with sparsity by construction: at 80 % sparsity a layer whose surviving
    /// weights see the dense network's gradients is 0.8 away from the dense flow.</summary>
    MeanOverAllWeights,

    /// <summary>The mean of <c>|∂L/∂W|</c> over the layer's surviving weights only: how strongly the loss still pulls on
    /// the connections that are left, comparable between sparsities.</summary>
    MeanOverSurvivingWeights,
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>Adam, as <c>torch.optim.Adam</c> (weight decay is L2, added to the gradient).</summary>
public sealed record AdamOptions : OptimizerOptions
{
    /// <inheritdoc />
    public override double LearningRate { get; init; } = 1.2e-3;

    /// <summary>Exponential decay of the first moment. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Exponential decay of the second moment. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Term added to the denominator for numerical stability. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    internal override optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters)
        => optim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay);

    internal override void Validate()
    {
        base.Validate();
        if (Beta1 < 0 || Beta1 >= 1 || Beta2 < 0 || Beta2 >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Beta1), $"Adam betas must be in [0, 1); got {Beta1}, {Beta2}.");
        }

        if (WeightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must not be negative.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Adam(lr={LearningRate}, betas=({Beta1}, {Beta2}), weightDecay={WeightDecay})";
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>SGD with momentum and (L2) weight decay, as <c>torch.optim.SGD</c>.</summary>
public sealed record SgdOptions : OptimizerOptions
{
    /// <inheritdoc />
    public override double LearningRate { get; init; } = 0.1;

    /// <summary>Momentum factor (0 disables momentum). Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Use Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; init; }

    internal override optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters)
        => optim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay, nesterov: Nesterov);

    internal override void Validate()
    {
        base.Validate();
        if (Momentum < 0 || Momentum >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "SGD momentum must be in [0, 1).");
        }

        if (WeightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must not be negative.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"SGD(lr={LearningRate}, momentum={Momentum}, weightDecay={WeightDecay}{(Nesterov ? ", nesterov" : "")})";
}

using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Training;

/// <summary>Which optimizer trains the network, with its hyper-parameters. See <see cref="SgdOptions"/> and <see cref="AdamOptions"/>.</summary>
public abstract record OptimizerOptions
{
    /// <summary>The base learning rate (before any <see cref="LearningRateSchedule"/>).</summary>
    public abstract double LearningRate { get; init; }

    /// <summary>Stochastic gradient descent with momentum and weight decay.</summary>
    public static SgdOptions Sgd(double learningRate = 0.1, double momentum = 0.9, double weightDecay = 0.0, bool nesterov = false)
        => new() { LearningRate = learningRate, Momentum = momentum, WeightDecay = weightDecay, Nesterov = nesterov };

    /// <summary>Adam (with optional L2 weight decay).</summary>
    public static AdamOptions Adam(double learningRate = 1.2e-3, double weightDecay = 0.0)
        => new() { LearningRate = learningRate, WeightDecay = weightDecay };

    /// <summary>Creates the TorchSharp optimizer over <paramref name="parameters"/>.</summary>
    internal abstract optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the option that is out of range.</summary>
    internal virtual void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be a positive finite number.");
        }
    }
}

using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML;

/// <summary>
/// <c>mlContext.Transforms.PruneIterative(...)</c>: iterative magnitude pruning with the ICP stopping criterion, as an
/// ML.NET estimator.
/// </summary>
public static class PruningCatalog
{
    /// <summary>
    /// Trains a network on the label and feature columns, prunes it iteratively and scores with the exported sparse
    /// ONNX model. The label column's type picks the task: a key is multiclass classification, a Boolean binary
    /// classification, a Single regression (see <see cref="MagnitudePruningEstimator"/> for the output columns).
    /// </summary>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    ///     .Append(mlContext.Transforms.PruneIterative(new IterativePruningOptions
    ///     {
    ///         Architecture = NetworkArchitecture.LeNet300(),
    ///         Rounds = 10,
    ///         Stopping = new IcpStoppingPolicy(FlowKind.Information, epsilon: 0.11, maxEpochs: 10) { CheckEvery = 0.25 },
    ///     }));
    /// var model = pipeline.Fit(train);
    /// var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static MagnitudePruningEstimator PruneIterative(this TransformsCatalog catalog, IterativePruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MagnitudePruningEstimator(ContextOf(catalog), options);
    }

    /// <summary>Iterative pruning with the most common settings; see <see cref="IterativePruningOptions"/> for all.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">The label column; its type picks the task: a key (multiclass), Boolean (binary) or Single (regression).</param>
    /// <param name="featureColumnName">A known-size vector of float.</param>
    /// <param name="architecture">The network; default LeNet-300-100.</param>
    /// <param name="rounds">Pruning rounds; default 10.</param>
    /// <param name="ratePerRound">Fraction of surviving weights removed per round; default 0.2.</param>
    /// <param name="stopping">When a round's retraining stops; default ICP on information flow.</param>
    public static MagnitudePruningEstimator PruneIterative(this TransformsCatalog catalog, string labelColumnName = "Label", string featureColumnName = "Features",
        NetworkArchitecture? architecture = null, int rounds = 10, double ratePerRound = 0.2, IStoppingPolicy? stopping = null)
        => catalog.PruneIterative(new IterativePruningOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture ?? NetworkArchitecture.LeNet300(),
            Rounds = rounds,
            RatePerRound = ratePerRound,
            Stopping = stopping,
        });

    /// <summary>The ML.NET environment behind a catalog (kept in a non-public property of every catalog): its channels
    /// reach <c>mlContext.Log</c>.</summary>
    private static Microsoft.ML.Runtime.IHostEnvironment ContextOf(TransformsCatalog catalog)
    {
        var environment = typeof(TransformsCatalog).GetField("_env", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?.GetValue(catalog);
        return environment as Microsoft.ML.Runtime.IHostEnvironment
            ?? throw new InvalidOperationException("PruneIterative needs the TransformsCatalog of an MLContext (mlContext.Transforms).");
    }
}

using Microsoft.ML.Data;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// The step after ML.NET's OnnxTransformer that turns the one-slot vectors it hands over for every ONNX output
/// (dotnet/machinelearning#5343) into the scalar columns ML.NET's binary classification and regression evaluators read:
/// <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> (Boolean) for binary, <c>Score</c> for regression.
/// It is a <c>CustomMapping</c> whose factory this library provides, so a binary or regression model saved with
/// <c>mlContext.Model.Save</c> loads after one call: <see cref="Register"/> (multiclass models need none).
/// </summary>
/// <example>
/// <code>
/// var mlContext = new MLContext();
/// ScalarScoreMapping.Register(mlContext); // before Model.Load of a binary or regression model
/// var model = mlContext.Model.Load("model.zip", out var inputSchema);
/// </code>
/// Without it, in a process that has not loaded this library yet, <c>Model.Load</c> fails with ML.NET's "Unable to
/// locate an extension for the contract 'Microsoft.ML.Pruning.BinaryScores'. Ensure you have called
/// ComponentCatalog.RegisterAssembly ..." (or <c>...RegressionScore</c>): the contract name says which library to
/// register. (ML.NET registers assemblies already loaded in the process by itself, so the app that trained the model
/// loads it either way.)
/// </example>
public static class ScalarScoreMapping
{
    /// <summary>The contract name of the binary step, written into saved models.</summary>
    public const string BinaryContractName = "Microsoft.ML.Pruning.BinaryScores";

    /// <summary>The contract name of the regression step, written into saved models.</summary>
    public const string RegressionContractName = "Microsoft.ML.Pruning.RegressionScore";

    /// <summary>
    /// Makes the scalar steps of this library known to <paramref name="mlContext"/>, so that <c>mlContext.Model.Load</c>
    /// reads binary and regression models made by <c>PruneIterative</c>. The same as
    /// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(ScalarScoreMapping).Assembly)</c>; calling it twice is harmless.
    /// </summary>
    public static void Register(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(ScalarScoreMapping).Assembly);
    }

    /// <summary>The step for a task: binary or regression.</summary>
    internal static IEstimator<ITransformer> For(MLContext context, string task) => task == "binary"
        ? context.Transforms.CustomMapping(new BinaryScoresFactory().GetMapping(), BinaryContractName)
        : context.Transforms.CustomMapping(new RegressionScoreFactory().GetMapping(), RegressionContractName);

    /// <summary>The ONNX outputs of a binary model, as OnnxTransformer hands them over.</summary>
    internal sealed class BinaryVectors
    {
        [ColumnName(OnnxExporter.ScoreName), VectorType(1)]
        public float[] Score = Array.Empty<float>();

        [ColumnName(OnnxExporter.ProbabilityName), VectorType(1)]
        public float[] Probability = Array.Empty<float>();

        [ColumnName(OnnxExporter.PredictedLabelName), VectorType(1)]
        public bool[] PredictedLabel = Array.Empty<bool>();
    }

    /// <summary>ML.NET's binary classification columns.</summary>
    internal sealed class BinaryScalars
    {
        [ColumnName(OnnxExporter.ScoreName)]
        public float Score;

        [ColumnName(OnnxExporter.ProbabilityName)]
        public float Probability;

        [ColumnName(OnnxExporter.PredictedLabelName)]
        public bool PredictedLabel;
    }

    /// <summary>The ONNX output of a regression model, as OnnxTransformer hands it over.</summary>
    internal sealed class RegressionVector
    {
        [ColumnName(OnnxExporter.ScoreName), VectorType(1)]
        public float[] Score = Array.Empty<float>();
    }

    /// <summary>ML.NET's regression column.</summary>
    internal sealed class RegressionScalar
    {
        [ColumnName(OnnxExporter.ScoreName)]
        public float Score;
    }

    /// <summary>Found by <c>Model.Load</c> through the contract name once the assembly is registered.</summary>
    [CustomMappingFactoryAttribute(BinaryContractName)]
    internal sealed class BinaryScoresFactory : CustomMappingFactory<BinaryVectors, BinaryScalars>
    {
        public override Action<BinaryVectors, BinaryScalars> GetMapping() => static (input, output) =>
        {
            output.Score = input.Score[0];
            output.Probability = input.Probability[0];
            output.PredictedLabel = input.PredictedLabel[0];
        };
    }

    /// <summary>Found by <c>Model.Load</c> through the contract name once the assembly is registered.</summary>
    [CustomMappingFactoryAttribute(RegressionContractName)]
    internal sealed class RegressionScoreFactory : CustomMappingFactory<RegressionVector, RegressionScalar>
    {
        public override Action<RegressionVector, RegressionScalar> GetMapping() => static (input, output) => output.Score = input.Score[0];
    }
}

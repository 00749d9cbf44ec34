using Microsoft.ML.Data;
using Microsoft.ML.Pruning.IO;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.MLNet;

/// <summary>
/// The fitted result of <see cref="MagnitudePruningEstimator"/>: scores with the exported sparse network through
/// ML.NET's own <c>OnnxTransformer</c> (then maps the predicted class to the label's key values), and carries the
/// <see cref="PruningReport"/> and the ONNX bytes.
/// </summary>
/// <remarks>
/// Scoring and saving are delegated to a chain of ML.NET's own transformers, so
/// <c>mlContext.Model.Save</c> writes an ordinary ML.NET model and <c>mlContext.Model.Load</c> reads it back in any
/// process (the loaded object is that chain, not this type): a multiclass model with no registration, a binary or
/// regression model after <see cref="ScalarScoreMapping.Register"/>, as its last step is a <c>CustomMapping</c> of
/// this library. Dispose the transformer to free
/// ONNX Runtime's session and the model's temporary file.
/// </remarks>
public sealed class MagnitudePruningTransformer : ITransformer, IDisposable
{
    private readonly TransformerChain<ITransformer> _inner;
    private readonly byte[] _onnx;
    private readonly string _modelFile;

    private MagnitudePruningTransformer(TransformerChain<ITransformer> inner, PruningReport report, byte[] onnx, string modelFile)
    {
        _inner = inner;
        Report = report;
        _onnx = onnx;
        _modelFile = modelFile;
    }

    /// <summary>What the pruning run measured.</summary>
    public PruningReport Report { get; }

    /// <summary>The exported ONNX model (a copy): for a built-in architecture the scoring graph (<c>Features</c> in,
    /// <c>Score</c> and <c>PredictedLabel</c> out); for an imported model its own graph with the pruned weights.</summary>
    public byte[] OnnxModel => (byte[])_onnx.Clone();

    /// <summary>The ML.NET transformers that do the scoring (what <c>mlContext.Model.Load</c> returns).</summary>
    public TransformerChain<ITransformer> ScoringChain => _inner;

    /// <inheritdoc />
    public bool IsRowToRowMapper => ((ITransformer)_inner).IsRowToRowMapper;

    /// <summary>Writes the ONNX model to <paramref name="path"/> atomically (temporary name, then rename).</summary>
    /// <exception cref="IOException">The path cannot be written; the message names it.</exception>
    public void SaveOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, _onnx);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _inner.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)_inner).GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _inner.Transform(input);

    /// <summary>Saves the scoring chain (ML.NET's own transformers; binary and regression end with
    /// <see cref="ScalarScoreMapping"/>'s step, which loading apps register once).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_inner).Save(ctx);

    /// <summary>Frees ONNX Runtime's session and deletes the temporary model file.</summary>
    public void Dispose()
    {
        _inner.Dispose();
        TryDelete(_modelFile);
    }

    /// <param name="input">The training data (its schema binds the scoring chain).</param>
    /// <param name="options">The run's options.</param>
    /// <param name="report">What the run measured.</param>
    /// <param name="onnx">The model <see cref="SaveOnnx"/> writes.</param>
    /// <param name="scoringModel">The model the chain scores with: input Features, outputs Score and PredictedLabel.</param>
    /// <param name="task">The task the label picked: multiclass, binary or regression.</param>
    internal static MagnitudePruningTransformer Create(IDataView input, IterativePruningOptions options, string task, PruningReport report, byte[] onnx, byte[] scoringModel)
    {
        // The scoring chain is made of ML.NET's own transformers; a context of ours builds them (a catalog does not
        // expose the caller's MLContext).
        var context = new MLContext(seed: 0);
        // ONNX Runtime reads the model from a file: ours, in a folder of ours, deleted on Dispose.
        string folder = Path.Combine(Path.GetTempPath(), "microsoft.ml.pruning", "models");
        Directory.CreateDirectory(folder);
        string modelFile = Path.Combine(folder, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(modelFile, scoringModel);
        try
        {
            IEstimator<ITransformer> scoring = new EstimatorChain<ITransformer>();
            if (options.FeatureColumnName != OnnxExporter.InputName)
            {
                // The ONNX graph's input is named Features; OnnxTransformer binds inputs by column name.
                scoring = scoring.Append(context.Transforms.CopyColumns(OnnxExporter.InputName, options.FeatureColumnName));
            }

            scoring = task switch
            {
                "multiclass" => scoring
                    .Append(context.Transforms.ApplyOnnxModel(
                        new[] { MagnitudePruningEstimator.ScoreColumnName, OnnxExporter.PredictedLabelName },
                        new[] { OnnxExporter.InputName },
                        modelFile))
                    .Append(PredictedLabelMapping(context, input.Schema[options.LabelColumnName])),
                "binary" => scoring
                    .Append(context.Transforms.ApplyOnnxModel(
                        new[] { OnnxExporter.ScoreName, OnnxExporter.ProbabilityName, OnnxExporter.PredictedLabelName },
                        new[] { OnnxExporter.InputName },
                        modelFile))
                    .Append(ScalarScoreMapping.For(context, task)),
                _ => scoring
                    .Append(context.Transforms.ApplyOnnxModel(new[] { OnnxExporter.ScoreName }, new[] { OnnxExporter.InputName }, modelFile))
                    .Append(ScalarScoreMapping.For(context, task)),
            };
            var fitted = (TransformerChain<ITransformer>)scoring.Fit(input);
            return new MagnitudePruningTransformer(fitted, report, onnx, modelFile);
        }
        catch
        {
            TryDelete(modelFile);
            throw;
        }
    }

    /// <summary>
    /// Maps the ONNX class index (0-based int64) onto a key with the label's key values, so PredictedLabel reads like
    /// the label (and <c>MapKeyToValue</c> gives back the original class names).
    /// </summary>
    private static IEstimator<ITransformer> PredictedLabelMapping(MLContext context, DataViewSchema.Column label)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull("KeyValues");
        var valueType = (keyValues?.Type as VectorDataViewType)?.ItemType.RawType;
        var method = typeof(MagnitudePruningTransformer).GetMethod(nameof(MapIndexToKey), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return valueType is null
            ? MapIndexToKeyNumbers(context, label)
            : (IEstimator<ITransformer>)method.MakeGenericMethod(valueType).Invoke(null, new object[] { context, label })!;
    }

    private static IEstimator<ITransformer> MapIndexToKey<T>(MLContext context, DataViewSchema.Column label)
    {
        VBuffer<T> values = default;
        label.GetKeyValues(ref values);
        var dense = values.DenseValues().ToArray();
        string name = OnnxExporter.PredictedLabelName;
        if (typeof(T) == typeof(ReadOnlyMemory<char>))
        {
            // ML.NET's value mapping takes text as string.
            var text = dense.Select((v, i) => new KeyValuePair<long, string>(i, v!.ToString()!));
            return context.Transforms.Conversion.MapValue(name, text, name, treatValuesAsKeyType: true);
        }

        var pairs = dense.Select((v, i) => new KeyValuePair<long, T>(i, v));
        return context.Transforms.Conversion.MapValue(name, pairs, name, treatValuesAsKeyType: true);
    }

    private static IEstimator<ITransformer> MapIndexToKeyNumbers(MLContext context, DataViewSchema.Column label)
    {
        ulong count = ((KeyDataViewType)label.Type).Count;
        var pairs = Enumerable.Range(0, checked((int)count)).Select(i => new KeyValuePair<long, uint>(i, (uint)i));
        string name = OnnxExporter.PredictedLabelName;
        return context.Transforms.Conversion.MapValue(name, pairs, name, treatValuesAsKeyType: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still open elsewhere (another platform's file locking): the temp folder's cleanup takes it later.
        }
    }
}

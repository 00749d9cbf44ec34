namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The <c>metadata_props</c> keys that <see cref="OnnxExporter.MetadataFrom"/> writes; names follow <c>report.json</c>.
/// Values are invariant-culture text; fractions (sparsity, accuracy) are in [0, 1], written round-trippable.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>The library and its version, e.g. <c>Microsoft.ML.Pruning 0.1.0</c>.</summary>
    public const string Producer = "producer";

    /// <summary>The pruning method (<c>lth</c>, <c>imp</c>, <c>icp-if</c>, ..., or <c>dense</c>).</summary>
    public const string Method = "method";

    /// <summary>The architecture name as <c>--arch</c> takes it (e.g. <c>lenet300</c>).</summary>
    public const string Architecture = "architecture";

    /// <summary>The run's seed.</summary>
    public const string Seed = "seed";

    /// <summary>The number of completed pruning rounds.</summary>
    public const string Rounds = "rounds";

    /// <summary>The fraction of all prunable weights that are zero.</summary>
    public const string Sparsity = "sparsity";

    /// <summary>Prefix of the per-layer sparsity keys: <c>layerSparsity.{layer}</c>, e.g. <c>layerSparsity.stage2_block0.conv1</c>.</summary>
    public const string LayerSparsityPrefix = "layerSparsity.";

    /// <summary>The task: <c>multiclass</c>, <c>binary</c> or <c>regression</c>.</summary>
    public const string Task = "task";

    /// <summary>The name of the metric the <c>*.valMetric</c>/<c>*.testMetric</c> keys hold: <c>accuracy</c> or <c>r2</c>.</summary>
    public const string Metric = "metric";

    /// <summary>Validation metric of the dense reference network.</summary>
    public const string DenseValMetric = "dense.valMetric";

    /// <summary>Test metric of the dense reference network.</summary>
    public const string DenseTestMetric = "dense.testMetric";

    /// <summary>Epochs of dense training.</summary>
    public const string DenseEpochs = "dense.epochs";

    /// <summary>Validation metric of the exported (final) network.</summary>
    public const string FinalValMetric = "final.valMetric";

    /// <summary>Test metric of the exported (final) network.</summary>
    public const string FinalTestMetric = "final.testMetric";

    /// <summary>All training epochs of the run: dense pre-training, every round's retraining and any final fine-tune.</summary>
    public const string TotalEpochs = "totalEpochs";
}

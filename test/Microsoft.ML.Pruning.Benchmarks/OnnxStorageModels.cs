using System.Globalization;
using System.Text;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Every built-in architecture, pruned to 90% per layer, saved in every storage mode (plus Auto after a global prune,
/// where layers end up on both sides of the one-third break-even): the files the ONNX checker script reads
/// (<c>OnnxChecker/check_onnx.py</c>), and the file-size table of <c>docs/onnx-format.md</c>.
/// </summary>
internal static class OnnxStorageModels
{
    /// <summary>(architecture, image shape or "" for flat input, features): the networks of the ONNX tests.</summary>
    public static readonly (string Architecture, string Shape, int Features)[] Networks =
    {
        ("lenet300", "", 784),
        ("mlp:32,16", "", 784),
        ("lenet5", "1,28,28", 784),
        ("lenet5", "3,32,32", 3072),
        ("conv2", "3,32,32", 3072),
        ("conv4", "3,32,32", 3072),
        ("conv6", "3,32,32", 3072),
        ("vgg11", "3,32,32", 3072),
        ("vgg16", "3,32,32", 3072),
        ("resnet20", "3,32,32", 3072),
    };

    /// <summary>Writes the files to <paramref name="directory"/> and returns the size table (Markdown).</summary>
    public static string Write(string directory)
    {
        var c = CultureInfo.InvariantCulture;
        Directory.CreateDirectory(directory);
        var md = new StringBuilder();
        md.AppendLine("| network | input | dense file | sparse file at 90% | ratio | auto file at 90% |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var (architecture, shape, features) in Networks)
        {
            var definition = NetworkArchitecture.Parse(architecture).Define(features, shape.Length == 0 ? null : Data.ImageShape.Parse(shape), 10);
            string stem = $"{architecture.Replace(':', '-').Replace(',', '-')}_{(shape.Length == 0 ? "flat" : shape.Replace(',', 'x'))}";
            long[] bytes = new long[3];
            using (var network = NetworkBuilder.Build(definition, seed: 11))
            {
                Prune(network, PruningScope.Layerwise, 0.9);
                var storages = new[] { OnnxStorage.Dense, OnnxStorage.Sparse, OnnxStorage.Auto };
                for (int i = 0; i < storages.Length; i++)
                {
                    string path = Path.Combine(directory, $"{stem}_{storages[i].ToString().ToLowerInvariant()}.onnx");
                    OnnxExporter.Save(network, path, new OnnxExportOptions { Storage = storages[i] });
                    bytes[i] = new FileInfo(path).Length;
                }
            }

            using (var network = NetworkBuilder.Build(definition, seed: 11))
            {
                Prune(network, PruningScope.Global, 0.8);
                OnnxExporter.Save(network, Path.Combine(directory, $"{stem}_auto-global80.onnx"), new OnnxExportOptions { Storage = OnnxStorage.Auto });
            }

            using (var network = NetworkBuilder.Build(definition, seed: 11))
            {
                // Channel pruning, compacted: smaller dense layers, in every storage mode.
                using (var masks = new MaskSet(network))
                {
                    PruningCriterion.Channels().Prune(masks, PruningRate.Fixed(0.5), PruningScope.Layerwise, Array.Empty<LayerPruningOverride>());
                    MagnitudePruner.Prune(masks, PruningRate.Fixed(0.8), PruningScope.Layerwise);
                }

                foreach (var storage in new[] { OnnxStorage.Dense, OnnxStorage.Sparse, OnnxStorage.Auto })
                {
                    OnnxExporter.Save(network, Path.Combine(directory, $"{stem}_channel50-compact_{storage.ToString().ToLowerInvariant()}.onnx"),
                        new OnnxExportOptions { Storage = storage, Compact = true });
                }
            }

            string input = shape.Length == 0 ? features.ToString(c) : shape.Replace(',', 'x');
            md.AppendLine(c, $"| {definition.Name} | {input} | {bytes[0]:N0} | {bytes[1]:N0} | {(double)bytes[1] / bytes[0]:F3} | {bytes[2]:N0} |");
        }

        return md.ToString();
    }

    private static void Prune(PrunableNetwork network, PruningScope scope, double rate)
    {
        using var masks = new MaskSet(network);
        MagnitudePruner.Prune(masks, PruningRate.Fixed(rate), scope);
    }
}

using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// The smaller tensors of an imported graph written compacted: every channel of a prunable group
/// (<see cref="ImportedChannelGroups"/>) that no layer reads (all of its input slices in every consumer are zero) is
/// gone from the producers' weights and biases, the batch norms' four tensors and the consumers' input slices (a
/// block of features after a flatten). Such a channel cannot change the output, so the smaller graph computes what the
/// masked network does. Channel pruning leaves exactly these; every group keeps at least one channel.
/// </summary>
/// <remarks>
/// Unlike the built-ins' <see cref="NetworkCompactor"/>, a unit that is still read but whose incoming weights are all
/// pruned (left by weight pruning) stays: its constant output is not folded into the next layer's bias, because the
/// operations between two layers of a user's graph are not limited to a known set.
/// </remarks>
internal static class ImportedGraphCompactor
{
    /// <summary>The registered tensors whose size changes, by index: shape and values in the graph's layout.</summary>
    public static Dictionary<int, (long[] Shape, float[] Values)> Compact(OnnxGraphNetwork network)
    {
        var graph = network.Graph;
        var channels = network.Model.Channels;
        var groups = channels.Groups;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor Stored(int index) => network.RegisteredTensor(index).detach().to(ScalarType.Float32).cpu();
        var weights = graph.Layers.ToDictionary(l => l.Info.Name, l => Stored(l.Weight), StringComparer.Ordinal);
        var kept = groups.Groups.ToDictionary(g => g.Index, g => g.Prunable ? Kept(g, weights) : null);

        var result = new Dictionary<int, (long[], float[])>();
        foreach (var layer in graph.Layers)
        {
            string name = layer.Info.Name;
            var rows = kept[groups.OutputOf(name).Index];
            var (input, block) = groups.InputOf(name);
            var columns = kept[input.Index]?.SelectMany(c => Enumerable.Range(c * block, block)).ToArray();
            if (rows is null && columns is null)
            {
                continue;
            }

            var weight = weights[name];
            if (rows is not null)
            {
                weight = weight.index_select(0, Indices(rows));
            }

            if (columns is not null)
            {
                weight = weight.index_select(1, Indices(columns));
            }

            result[layer.Weight] = GraphLayout(graph.Tensors[layer.Weight], weight);
        }

        foreach (var (tensor, group) in channels.ChannelTensors)
        {
            if (kept[group] is { } rows)
            {
                result[tensor] = GraphLayout(graph.Tensors[tensor], Stored(tensor).index_select(0, Indices(rows)));
            }
        }

        return result;
    }

    /// <summary>The channels of <paramref name="group"/> some consumer reads (at least one).</summary>
    private static int[]? Kept(ChannelGroup group, Dictionary<string, Tensor> weights)
    {
        if (group.Consumers.Count == 0)
        {
            return null;
        }

        var read = new bool[group.Channels];
        foreach (var consumer in group.Consumers)
        {
            var weight = weights[consumer.Layer];
            var used = weight.reshape(weight.shape[0], group.Channels, -1).ne(0).any(2).any(0).data<bool>().ToArray();
            for (int c = 0; c < read.Length; c++)
            {
                read[c] |= used[c];
            }
        }

        var kept = Enumerable.Range(0, group.Channels).Where(c => read[c]).ToArray();
        if (kept.Length == group.Channels)
        {
            return null;
        }

        return kept.Length > 0 ? kept : new[] { 0 }; // a layer keeps at least one channel
    }

    private static Tensor Indices(IEnumerable<int> values) => torch.tensor(values.Select(v => (long)v).ToArray());

    private static (long[], float[]) GraphLayout(ImportedTensor tensor, Tensor stored)
    {
        var value = (tensor.Transposed ? stored.t() : stored).contiguous();
        return (value.shape, value.data<float>().ToArray());
    }
}

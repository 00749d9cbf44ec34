using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// Makes a pruned network physically smaller: a dense network of smaller layers that computes the same function. A
/// channel (or neuron) goes when nothing reads it (every consumer's input slice is zero) or when it is constant (every
/// incoming weight is zero): channel pruning leaves both, and weight pruning leaves units whose incoming weights are
/// all pruned. A constant channel's value (its bias through its batch norm and ReLU) is folded into the biases of the
/// layers that read it, which is exact for Linear layers and unpadded convolutions; a constant channel read by a padded
/// convolution stays unless it is 0 (the padding would see zeros where the channel is not). Channels tied by a residual
/// add go only when they are 0 or unread in every branch. Every layer keeps at least one channel.
/// </summary>
/// <remarks>
/// The result is what the ONNX export writes when asked to compact (<c>OnnxExportOptions.Compact</c>): smaller
/// <c>Gemm</c>, <c>Conv</c> and <c>BatchNormalization</c> initializers, the same graph. Pruned weights that survive
/// compaction stay exact zeros.
/// </remarks>
public static class NetworkCompactor
{
    /// <summary>A new network, in evaluation mode on the CPU, of the live channels of <paramref name="network"/> (read
    /// in its current weights; batch norms use their running statistics, as at inference).</summary>
    public static LayerNetwork Compact(LayerNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var definition = network.Definition;
        var groups = ChannelGroups.Analyze(definition);
        var specs = new Dictionary<string, LayerSpec>(StringComparer.Ordinal);
        Index(definition.Layers, "", specs);

        using var scope = torch.NewDisposeScope();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (torch.no_grad())
        {
            foreach (var (key, value) in network.state_dict())
            {
                state[key] = value.detach().cpu().clone();
            }
        }

        var kept = groups.Groups.ToDictionary(g => g.Index, g => Enumerable.Range(0, g.Channels).ToArray());
        var addedBias = new HashSet<string>(StringComparer.Ordinal);
        // Chains first, in forward order, so a fold into a bias is in place before that bias is read as a constant;
        // residual groups never fold.
        foreach (var group in groups.Prunable.OrderBy(g => g.Residual))
        {
            kept[group.Index] = Decide(group, state, specs, addedBias);
        }

        var layers = Rebuild(definition.Layers, "", groups, kept, addedBias);
        var compact = new NetworkDefinition(definition.Name, definition.InputFeatures, definition.InputShape, definition.ClassCount, layers);
        var newState = Slice(definition, groups, kept, state, specs);
        var result = NetworkBuilder.Build(compact, seed: 0);
        try
        {
            result.LoadState(newState);
            result.eval();
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The channels of <paramref name="group"/> that stay; folds the constants of those that go.</summary>
    private static int[] Decide(ChannelGroup group, Dictionary<string, Tensor> state, Dictionary<string, LayerSpec> specs, HashSet<string> addedBias)
    {
        var read = new bool[group.Channels];
        foreach (var consumer in group.Consumers)
        {
            var weight = state[consumer.Layer + ".weight"];
            var used = weight.reshape(weight.shape[0], group.Channels, -1).ne(0).any(2).any(0).data<bool>().ToArray();
            for (int c = 0; c < read.Length; c++)
            {
                read[c] |= used[c];
            }
        }

        var constant = Enumerable.Repeat(true, group.Channels).ToArray();
        var zero = Enumerable.Repeat(true, group.Channels).ToArray();
        float[] value = new float[group.Channels];
        foreach (var producer in group.ProducerEntries)
        {
            var live = state[producer.Layer + ".weight"].flatten(1).ne(0).any(1).data<bool>().ToArray();
            value = ConstantOutput(producer, group.Channels, state, specs);
            for (int c = 0; c < group.Channels; c++)
            {
                constant[c] &= !live[c];
                zero[c] &= !live[c] && value[c] == 0;
            }
        }

        bool chain = !group.Residual && group.ProducerEntries.Count == 1 && group.AfterMerge.Count == 0;
        bool foldable = chain && group.Consumers.All(c => specs[c.Layer] is LinearLayer or Conv2dLayer { Padding: 0 });
        var removed = Enumerable.Range(0, group.Channels)
            .Where(c => !read[c] || (group.AfterMerge.Count == 0 && zero[c]) || (foldable && constant[c]))
            .ToList();
        if (removed.Count == group.Channels)
        {
            removed.RemoveAt(0); // a layer keeps at least one channel
        }

        foreach (int c in removed.Where(c => read[c] && value[c] != 0))
        {
            Fold(group, c, value[c], state, addedBias);
        }

        return Enumerable.Range(0, group.Channels).Except(removed).ToArray();
    }

    /// <summary>What each channel of <paramref name="producer"/> outputs when its incoming weights are all zero: its bias
    /// through the batch norms (running statistics) and ReLUs that follow.</summary>
    private static float[] ConstantOutput(ChannelProducer producer, int channels, Dictionary<string, Tensor> state, Dictionary<string, LayerSpec> specs)
    {
        var v = state.TryGetValue(producer.Layer + ".bias", out var bias) ? bias.clone() : torch.zeros(channels);
        foreach (var operation in producer.Operations)
        {
            if (operation.Norm is { } norm)
            {
                double epsilon = ((BatchNormLayer)specs[norm]).Epsilon;
                v = (v - state[norm + ".running_mean"]) / (state[norm + ".running_var"] + epsilon).sqrt() * state[norm + ".weight"] + state[norm + ".bias"];
            }
            else
            {
                v = v.relu();
            }
        }

        return v.data<float>().ToArray();
    }

    /// <summary>Adds what constant channel <paramref name="channel"/> contributes to each consumer's bias.</summary>
    private static void Fold(ChannelGroup group, int channel, float value, Dictionary<string, Tensor> state, HashSet<string> addedBias)
    {
        foreach (var consumer in group.Consumers)
        {
            var weight = state[consumer.Layer + ".weight"];
            // Every output sums the channel's block (Linear) or kernel window (unpadded conv) times the constant.
            var slice = weight.reshape(weight.shape[0], group.Channels, -1)[TensorIndex.Colon, channel].sum(1) * value;
            string key = consumer.Layer + ".bias";
            if (!state.TryGetValue(key, out var bias))
            {
                bias = torch.zeros(weight.shape[0]);
                state[key] = bias;
                addedBias.Add(consumer.Layer);
            }

            bias.add_(slice);
        }
    }

    private static IReadOnlyList<LayerSpec> Rebuild(IReadOnlyList<LayerSpec> layers, string prefix, ChannelGroups groups, Dictionary<int, int[]> kept, HashSet<string> addedBias)
    {
        var result = new List<LayerSpec>();
        foreach (var layer in layers)
        {
            string path = prefix + layer.Name;
            result.Add(layer switch
            {
                LinearLayer l => l with { InFeatures = InputWidth(groups, kept, path), OutFeatures = kept[groups.OutputOf(path).Index].Length, Bias = l.Bias || addedBias.Contains(path) },
                Conv2dLayer c => c with { InChannels = InputWidth(groups, kept, path), OutChannels = kept[groups.OutputOf(path).Index].Length, Bias = c.Bias || addedBias.Contains(path) },
                BatchNormLayer b => b with { Features = kept[groups.NormOf(path).Index].Length },
                ResidualBlock r => new ResidualBlock(r.Name, Rebuild(r.Main, path + ".", groups, kept, addedBias), Rebuild(r.Shortcut, path + ".", groups, kept, addedBias)),
                _ => layer,
            });
        }

        return result;
    }

    private static int InputWidth(ChannelGroups groups, Dictionary<int, int[]> kept, string layer)
    {
        var (group, block) = groups.InputOf(layer);
        return kept[group.Index].Length * block;
    }

    private static Dictionary<string, Tensor> Slice(NetworkDefinition definition, ChannelGroups groups, Dictionary<int, int[]> kept, Dictionary<string, Tensor> state, Dictionary<string, LayerSpec> specs)
    {
        Tensor Rows(Tensor t, int[] rows) => t.index_select(0, torch.tensor(rows.Select(r => (long)r).ToArray()));
        var result = new Dictionary<string, Tensor>(state, StringComparer.Ordinal);
        foreach (var (path, spec) in specs)
        {
            if (spec is LinearLayer or Conv2dLayer)
            {
                var rows = kept[groups.OutputOf(path).Index];
                var (input, block) = groups.InputOf(path);
                var columns = kept[input.Index].SelectMany(c => Enumerable.Range(c * block, block)).ToArray();
                result[path + ".weight"] = Rows(state[path + ".weight"], rows).index_select(1, torch.tensor(columns.Select(c => (long)c).ToArray())).contiguous();
                if (state.TryGetValue(path + ".bias", out var bias))
                {
                    result[path + ".bias"] = Rows(bias, rows);
                }
            }
            else if (spec is BatchNormLayer)
            {
                var rows = kept[groups.NormOf(path).Index];
                foreach (string part in new[] { "weight", "bias", "running_mean", "running_var" })
                {
                    result[$"{path}.{part}"] = Rows(state[$"{path}.{part}"], rows);
                }
            }
        }

        return result;
    }

    private static void Index(IReadOnlyList<LayerSpec> layers, string prefix, Dictionary<string, LayerSpec> specs)
    {
        foreach (var layer in layers)
        {
            specs[prefix + layer.Name] = layer;
            if (layer is ResidualBlock block)
            {
                Index(block.Main, prefix + layer.Name + ".", specs);
                Index(block.Shortcut, prefix + layer.Name + ".", specs);
            }
        }
    }
}

using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// The TorchSharp network of an imported ONNX model (<see cref="OnnxModelSource"/>): runs the model's graph node by
/// node, with its weights as trainable parameters. Made by <see cref="OnnxModelSource.Build"/>.
/// </summary>
/// <remarks>
/// <para>Flat input rows <c>[N, F]</c> are reshaped to the model input's shape (e.g. <c>[N, 1, 28, 28]</c>); the output
/// is the logits <c>[N, classes]</c>: the model's output, or the input of its final Softmax/LogSoftmax.</para>
/// <para>Parameters (<c>named_parameters()</c>, <c>state_dict()</c>): the Gemm, MatMul and Conv weights (prunable, stored
/// <c>[out, in]</c> / <c>[out, in/groups, kh, kw]</c>: a Gemm weight with transB = 0 and a MatMul weight are stored
/// transposed), their biases and the batch-norm scales and shifts. Buffers in the state: batch-norm running means and
/// variances. Keys are the graph's value names with every character other than letters, digits and '_' replaced by
/// '_' (<c>fc1.weight</c> → <c>fc1_weight</c>); other float constants are buffers outside the state.</para>
/// <para><see cref="PrunableNetwork.PrunableOutputObserver"/> sees each Gemm and Conv output (bias included) and each
/// MatMul output (before the Add of its bias), before any normalisation or activation.</para>
/// </remarks>
public sealed class OnnxGraphNetwork : PrunableNetwork
{
    private readonly ImportedGraph _graph;

    internal OnnxGraphNetwork(OnnxModelSource source, ImportedGraph graph, Device? device)
        : base(source)
    {
        Model = source;
        _graph = graph;
        foreach (var tensor in graph.Tensors)
        {
            Register(tensor, device);
        }

        SetPrunableLayers(graph.Layers.Select((layer, i) => new PrunableLayer(
            i, layer.Info, () => Parameter(layer.Weight), () => layer.Bias is { } b ? Parameter(b) : null)).ToList());
    }

    /// <summary>The imported model this network runs.</summary>
    public OnnxModelSource Model { get; }

    internal ImportedGraph Graph => _graph;

    /// <summary>The registered tensor with index <paramref name="index"/> (a parameter or a buffer), current after moves.</summary>
    internal Tensor RegisteredTensor(int index)
    {
        string key = _graph.Tensors[index].Key;
        return (Tensor?)get_parameter(key) ?? get_buffer(key) ?? throw new InvalidOperationException($"Network '{Model.Name}' has no tensor '{key}'.");
    }

    /// <inheritdoc />
    private protected override Tensor Run(Tensor input, Action<int, Tensor>? observer) => Execute(input, observer, frame => { });

    /// <summary>Runs the compiled nodes; <paramref name="inspect"/> sees the finished frame (the dry run records shapes).</summary>
    internal Tensor Execute(Tensor input, Action<int, Tensor>? observer, Action<ExecutionFrame> inspect)
    {
        var frame = new ExecutionFrame(this, _graph.Slots.Count, training, observer);
        frame.Set(_graph.InputSlot, input.reshape(_graph.InputDims.Prepend(input.shape[0]).ToArray()));
        foreach (var (node, step) in _graph.Steps)
        {
            try
            {
                step(frame);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var proto = _graph.Nodes[node];
                // libtorch appends its native stack to the message: keep the first line, the reason.
                string reason = e.Message.Split('\n')[0].Trim();
                throw new InvalidOperationException(
                    $"ONNX model '{Model.Name}': node {ImportErrors.Label(proto, node)} ({proto.OpType}) failed: {reason}", e);
            }
        }

        inspect(frame);
        return frame.Get(ValueRef.Slot(_graph.LogitsSlot));
    }

    private Parameter Parameter(int index) => (Parameter)RegisteredTensor(index);

    private void Register(ImportedTensor tensor, Device? device)
    {
        var value = Materialize(tensor, device);
        switch (tensor.Role)
        {
            case ImportedTensorRole.PrunableWeight or ImportedTensorRole.Parameter:
                register_parameter(tensor.Key, new Parameter(value, requires_grad: true));
                break;
            case ImportedTensorRole.Statistic:
                register_buffer(tensor.Key, value);
                break;
            default:
                // Moves with the network, but is no part of its state: nothing changes it.
                register_buffer(tensor.Key, value, persistent: false);
                break;
        }
    }

    /// <summary>The tensor's value in the stored layout, on the device, owned by no dispose scope (the network owns it).</summary>
    private static Tensor Materialize(ImportedTensor tensor, Device? device)
    {
        using var scope = torch.NewDisposeScope();
        var value = tensor.Value.ToTensor();
        if (tensor.Transposed)
        {
            value = value.t();
        }

        value = value.to(device ?? torch.CPU).contiguous().clone();
        return value.DetachFromDisposeScope();
    }
}

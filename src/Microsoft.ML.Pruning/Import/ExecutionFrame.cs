using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Import;

/// <summary>The state of one forward pass of an <see cref="OnnxGraphNetwork"/>: the values computed so far, by slot.</summary>
/// <remarks>Tensors in the slots belong to the caller's dispose scope, like every tensor a forward pass makes.</remarks>
internal sealed class ExecutionFrame
{
    public ExecutionFrame(OnnxGraphNetwork network, int slotCount, bool training, Action<int, Tensor>? observer)
    {
        Network = network;
        Slots = new Tensor?[slotCount];
        Training = training;
        Observer = observer;
    }

    /// <summary>The network whose registered tensors the nodes read.</summary>
    public OnnxGraphNetwork Network { get; }

    /// <summary>The computed values, by slot.</summary>
    public Tensor?[] Slots { get; }

    /// <summary>True in training mode (batch statistics, dropout).</summary>
    public bool Training { get; }

    /// <summary>Receives each prunable layer's output (see <see cref="Networks.PrunableNetwork.PrunableOutputObserver"/>).</summary>
    public Action<int, Tensor>? Observer { get; }

    /// <summary>The tensor an input refers to.</summary>
    public Tensor Get(ValueRef value) => value.Source switch
    {
        ValueSource.Slot => Slots[value.Index] ?? throw new InvalidOperationException($"Slot {value.Index} was read before it was written."),
        ValueSource.Registered => Network.RegisteredTensor(value.Index),
        _ => value.Constant!.ToTensor(),
    };

    /// <summary>The tensor an optional input refers to, or null when the input is absent.</summary>
    public Tensor? GetOptional(ValueRef? value) => value is { } v ? Get(v) : null;

    /// <summary>Stores a node's output.</summary>
    public void Set(int slot, Tensor value) => Slots[slot] = value;
}

using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Stopping;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// A stopping policy that decides like <paramref name="inner"/> (and has its name, so checkpoints accept it) and
/// records the network's state where the engine calls it: the dense network (<see cref="Initialize"/>), each round
/// just after pruning and rewinding (<see cref="BeginRound"/>), and each round's last check point.
/// </summary>
internal sealed class StateRecordingPolicy(IStoppingPolicy inner) : IStoppingPolicy
{
    private PrunableNetwork? _network;

    public Dictionary<string, byte[]>? Dense { get; private set; }

    public List<Dictionary<string, byte[]>> AtRoundStart { get; } = new();

    public List<Dictionary<string, byte[]>> AtRoundEnd { get; } = new();

    public string Name => inner.Name;

    public double MaxEpochs => inner.MaxEpochs;

    public double CheckEvery => inner.CheckEvery;

    public void Initialize(DenseReference reference, CancellationToken cancellationToken = default)
    {
        // The engine passes the live network; a test may keep it to look at it later in the run.
        _network = reference.Network;
        Dense = StateBytes(reference.Network);
        inner.Initialize(reference, cancellationToken);
    }

    public void BeginRound(int round)
    {
        AtRoundStart.Add(StateBytes(_network!));
        inner.BeginRound(round);
    }

    public StoppingDecision Check(StoppingContext context, CancellationToken cancellationToken = default)
    {
        var decision = inner.Check(context, cancellationToken);
        if (decision.Stop || context.Epochs >= MaxEpochs)
        {
            AtRoundEnd.Add(StateBytes(context.Network));
        }

        return decision;
    }
}

using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Networks;

public sealed class NetworkStateTests
{
    private static readonly NetworkDefinition ResNet = NetworkArchitecture.ResNet20().Define(3072, new ImageShape(3, 32, 32), 10);

    public NetworkStateTests() => NetworkTestCases.EnsureTorch();

    [Fact]
    public void StateKeys_FollowTheLayerNames()
    {
        using var network = NetworkBuilder.Build(ResNet, seed: 1);
        var keys = network.state_dict().Keys.ToHashSet();

        Assert.Contains("conv1.weight", keys);
        Assert.Contains("conv1_bn.running_mean", keys);
        Assert.Contains("conv1_bn.num_batches_tracked", keys);
        Assert.Contains("stage1_block0.conv1.weight", keys);
        Assert.Contains("stage2_block0.shortcut_conv.weight", keys);
        Assert.Contains("stage3_block2.conv2_bn.running_var", keys);
        Assert.Contains("fc.bias", keys);
        Assert.DoesNotContain("conv1.bias", keys); // convolutions before BatchNorm have no bias
    }

    [Fact]
    public void SnapshotThenLoadState_RestoresEveryParameterAndBufferBitExactly()
    {
        using var network = NetworkBuilder.Build(ResNet, seed: 1);
        var snapshot = network.SnapshotState();
        try
        {
            // Change weights (an optimizer step) and buffers (BatchNorm running statistics of a training forward).
            using (NewDisposeScope())
            {
                var loss = network.call(NetworkTestCases.Input(4, 3072)).square().mean();
                loss.backward();
                using var noGrad = no_grad();
                foreach (var p in network.parameters())
                {
                    p.sub_(p.grad! * 0.1);
                }
            }

            Assert.False(NetworkTestCases.StatesEqual(snapshot, network.state_dict()));
            var weightBefore = network.PrunableLayers[3].Weight;

            network.LoadState(snapshot);

            Assert.True(NetworkTestCases.StatesEqual(snapshot, network.state_dict()));
            Assert.Same(weightBefore, network.PrunableLayers[3].Weight); // loaded in place
        }
        finally
        {
            foreach (var tensor in snapshot.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void Snapshot_IsIndependentOfTheNetworkAndOfDisposeScopes()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        Dictionary<string, Tensor> snapshot;
        using (NewDisposeScope())
        {
            snapshot = network.SnapshotState();
        }

        try
        {
            var before = snapshot["fc1.weight"].clone();
            using (no_grad())
            {
                network.PrunableLayers[0].Weight.zero_();
            }

            Assert.True(NetworkTestCases.BitEqual(before, snapshot["fc1.weight"]));
            Assert.False(snapshot["fc1.weight"].requires_grad);
        }
        finally
        {
            foreach (var tensor in snapshot.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void LoadState_WithAMissingOrUnexpectedKey_NamesItAndChangesNothing()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 1);
        using var other = NetworkBuilder.Build(NetworkArchitecture.LeNet300().Define(784, null, 10), seed: 2);
        var state = new Dictionary<string, Tensor>(other.state_dict());
        state.Remove("fc2.bias");
        state["fc9.weight"] = state["fc1.weight"];
        var before = network.SnapshotState();
        try
        {
            var error = Assert.Throws<ArgumentException>(() => network.LoadState(state));

            Assert.Contains("missing keys: 'fc2.bias'", error.Message);
            Assert.Contains("unexpected keys: 'fc9.weight'", error.Message);
            Assert.True(NetworkTestCases.StatesEqual(before, network.state_dict()));
        }
        finally
        {
            foreach (var tensor in before.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void LoadState_WithAnotherShape_NamesTheKeyAndBothShapes()
    {
        using var network = NetworkBuilder.Build(NetworkArchitecture.Mlp(300, 100).Define(784, null, 10), seed: 1);
        using var other = NetworkBuilder.Build(NetworkArchitecture.Mlp(300, 50).Define(784, null, 10), seed: 1);

        var error = Assert.Throws<ArgumentException>(() => network.CopyStateFrom(other));

        Assert.Contains("'fc2.weight' is Float32 [50, 300] but the network's is Float32 [100, 300]", error.Message);
    }

    [Fact]
    public void CopyStateFromAndClone_GiveTheSameOutputs()
    {
        var definition = NetworkArchitecture.Vgg11().Define(3072, new ImageShape(3, 32, 32), 10);
        using var source = NetworkBuilder.Build(definition, seed: 1);
        using var target = NetworkBuilder.Build(definition, seed: 2);
        using var scope = NewDisposeScope();
        source.call(NetworkTestCases.Input(4, 3072)); // move BatchNorm running statistics away from their initial values
        source.eval();
        target.eval();

        target.CopyStateFrom(source);
        using var clone = source.Clone();

        Assert.False(clone.training);
        var input = NetworkTestCases.Input(2, 3072, seed: 8);
        using var noGrad = no_grad();
        var expected = source.call(input);
        Assert.True(NetworkTestCases.BitEqual(expected, target.call(input)));
        Assert.True(NetworkTestCases.BitEqual(expected, clone.call(input)));
        Assert.NotSame(source.PrunableLayers[0].Weight, clone.PrunableLayers[0].Weight);
    }
}

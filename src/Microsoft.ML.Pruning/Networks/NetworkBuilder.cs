using Microsoft.ML.Pruning.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Networks;

/// <summary>Builds the TorchSharp module of a <see cref="NetworkDefinition"/>, deterministically initialised.</summary>
public static class NetworkBuilder
{
    /// <summary>
    /// Creates the network and initialises it from <paramref name="seed"/>: equal seeds give bit-identical weights.
    /// </summary>
    /// <remarks>
    /// Initialisation follows PyTorch's defaults: Linear and Conv2d weights and biases uniform in
    /// <c>±1/sqrt(fan_in)</c> (what <c>kaiming_uniform_(a=sqrt(5))</c> gives), BatchNorm scale 1 and shift 0. The
    /// values are drawn, in forward order (weight then bias), from a private generator seeded with
    /// <paramref name="seed"/>, on the CPU, before the network moves to <paramref name="device"/>. So the result does not
    /// depend on, or change, TorchSharp's global random state, other threads, or the device; seed the global generator
    /// yourself (<c>torch.random.manual_seed</c>) for reproducible dropout and shuffles.
    /// The parameters and buffers belong to the network, not to any open dispose scope.
    /// </remarks>
    /// <param name="definition">The network to build.</param>
    /// <param name="seed">The initialisation seed.</param>
    /// <param name="device">Where the parameters live; the CPU when null.</param>
    /// <returns>The network, in training mode.</returns>
    public static LayerNetwork Build(NetworkDefinition definition, long seed, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        TorchSharpNativeLoader.EnsureLoaded();

        var network = new LayerNetwork(definition);
        try
        {
            Initialize(network, seed);
            if (device is not null && device.type != DeviceType.CPU)
            {
                network.to(device);
            }

            // Modules made inside a caller's dispose scope must not lose their parameters when that scope ends.
            foreach (var (_, parameter) in network.named_parameters())
            {
                parameter.DetachFromDisposeScope();
            }

            foreach (var (_, buffer) in network.named_buffers())
            {
                buffer.DetachFromDisposeScope();
            }

            network.train();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static void Initialize(PrunableNetwork network, long seed)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        using var noGrad = torch.no_grad();
        foreach (var layer in network.PrunableLayers)
        {
            var weight = layer.Weight;
            // fan_in = in * k * k: every dimension but the first.
            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1.0 / Math.Sqrt(fanIn);
            // Tensor.uniform_, not nn.init.uniform_: TorchSharp 0.107's init.uniform_ ignores its generator argument.
            weight.uniform_(-bound, bound, generator);
            layer.Bias?.uniform_(-bound, bound, generator);
        }
    }
}

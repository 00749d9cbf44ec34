using TorchSharp;

namespace Microsoft.ML.Pruning.Import;

/// <summary>BatchNormalization, trained as batch norm.</summary>
internal static class NormalizationOperators
{
    /// <summary>
    /// BatchNormalization: in evaluation mode it normalises with the running statistics, as ONNX Runtime does; in training
    /// mode with the batch's statistics, and updates the running ones like PyTorch's BatchNorm (the unbiased batch
    /// variance) with ONNX's momentum: <c>running = momentum * running + (1 - momentum) * batch</c>.
    /// </summary>
    public static NodeStep BatchNormalization(NodeContext c)
    {
        var a = c.Opset < 14 ? c.Attributes("epsilon", "momentum") : c.Attributes("epsilon", "momentum", "training_mode");
        double epsilon = a.Float("epsilon", 1e-5f);
        double momentum = a.Float("momentum", 0.9f);
        if (a.Int("training_mode", 0) != 0)
        {
            throw c.Fail("has training_mode 1 (a training graph, with statistics as outputs); the importer takes inference graphs "
                + "(export with the model in evaluation mode).");
        }

        if (!(epsilon > 0) || !(momentum >= 0 && momentum <= 1))
        {
            throw c.Fail($"has epsilon {epsilon} and momentum {momentum}; expected a positive epsilon and a momentum in [0, 1].");
        }

        c.RequireOnlyOutputs(1, "a training statistic");
        var x = c.Input(0);
        var scale = c.Input(1);
        var bias = c.Input(2);
        var mean = c.Input(3);
        var variance = c.Input(4);
        int output = c.Output();
        return f => f.Set(output, torch.nn.functional.batch_norm(
            f.Get(x), f.Get(mean), f.Get(variance), f.Get(scale), f.Get(bias), f.Training, 1 - momentum, epsilon));
    }
}

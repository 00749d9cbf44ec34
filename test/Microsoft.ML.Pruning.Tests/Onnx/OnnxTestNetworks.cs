using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Tests.Onnx;

/// <summary>Small custom networks for the ONNX tests.</summary>
internal static class OnnxTestNetworks
{
    /// <summary>
    /// Every layer kind, including the ones no built-in architecture uses in this form: BatchNorm1d on flat features,
    /// average pooling, dropout, Linear without bias, residual blocks with an identity shortcut (on images) and with a
    /// Linear shortcut (on flat features), a non-default BatchNorm epsilon, and a last layer named <c>Score</c> like the
    /// graph output (its value gets another name).
    /// </summary>
    public static NetworkDefinition EveryLayerKind() => new("every_kind", 2 * 8 * 8, new ImageShape(2, 8, 8), 10, new LayerSpec[]
    {
        new ReshapeLayer("reshape", new ImageShape(2, 8, 8)),
        new Conv2dLayer("conv", 2, 4, KernelSize: 3, Padding: 1),
        new BatchNormLayer("conv_bn", 4, Spatial: true, Epsilon: 1e-3),
        new ReluLayer("conv_relu"),
        new AvgPool2dLayer("avg", 2, 2),
        new ResidualBlock("res", new LayerSpec[]
        {
            new Conv2dLayer("conv", 4, 4, KernelSize: 3, Padding: 1, Bias: false),
            new BatchNormLayer("conv_bn", 4, Spatial: true),
        }, Array.Empty<LayerSpec>()),
        new MaxPool2dLayer("max", 2, 2),
        new FlattenLayer("flatten"),
        new LinearLayer("fc1", 16, 12, Bias: false),
        new BatchNormLayer("fc1_bn", 12, Spatial: false, Epsilon: 1e-4),
        new ReluLayer("fc1_relu"),
        new DropoutLayer("fc1_dropout", 0.3),
        new ResidualBlock("flat_res", new LayerSpec[] { new LinearLayer("fc", 12, 12) }, new LayerSpec[] { new LinearLayer("proj", 12, 12, Bias: false) }),
        new LinearLayer("Score", 12, 10),
    });
}

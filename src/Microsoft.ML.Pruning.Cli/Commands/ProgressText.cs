using System.Globalization;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>How progress reads on a terminal and in logs: one wording for every command.</summary>
internal static class ProgressText
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Where a report stands, e.g. <c>round 3/10 at 1.25 epochs</c> or <c>dense epoch 4</c>.</summary>
    public static string Where(PruningProgress p)
    {
        if (p.Phase != "round")
        {
            return string.Create(C, $"{p.Phase} epoch {p.Epoch}");
        }

        return p.IsCheck ? string.Create(C, $"round {p.Round}/{p.Rounds} at {p.Epochs:0.##} epochs") : string.Create(C, $"round {p.Round}/{p.Rounds} epoch {p.Epoch}");
    }

    /// <summary>A metric value: accuracy as a percentage, anything else (R²) as a number.</summary>
    public static string Metric(string name, double value) =>
        name == "accuracy" ? value.ToString("P2", C) : value.ToString("F4", C);

    /// <summary>One line for a check point: sparsity, loss, validation metric and flow distance.</summary>
    public static string CheckLine(PruningProgress p)
    {
        string flow = p.FlowDistance is { } f ? string.Create(C, $", flow distance {f:F4}") : "";
        return string.Create(C, $"{Where(p)}: sparsity {p.Sparsity:P1}, loss {p.TrainLoss:F4}, validation {p.MetricName} {Metric(p.MetricName, p.ValMetric!.Value)}{flow}");
    }
}

using System.Globalization;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Writes one line per finished epoch (batch reports are skipped) to the error stream.</summary>
internal sealed class LineProgress(TextWriter writer) : IProgress<PruningProgress>
{
    public void Report(PruningProgress p)
    {
        if (!p.EpochCompleted)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        string where = p.Phase == "round" ? $"round {p.Round}/{p.Rounds}" : p.Phase;
        string flow = p.FlowDistance is { } f ? $", flow distance {f:F4}" : "";
        writer.WriteLine(string.Create(c, $"{where} epoch {p.Epoch}: sparsity {p.Sparsity:P1}, loss {p.TrainLoss:F4}, validation {p.ValAccuracy:P2}{flow}"));
    }
}

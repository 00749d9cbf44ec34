using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>Writes one line per check point (batch reports are skipped) to the error stream.</summary>
internal sealed class LineProgress(TextWriter writer) : IProgress<PruningProgress>
{
    public void Report(PruningProgress p)
    {
        if (p.IsCheck)
        {
            writer.WriteLine(ProgressText.CheckLine(p));
        }
    }
}

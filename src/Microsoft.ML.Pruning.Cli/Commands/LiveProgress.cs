using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Pruning.Pruning;
using Spectre.Console;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>
/// Progress on an interactive terminal (Spectre.Console, on the error stream so stdout stays clean): a live table of
/// the latest epochs with the current batch in its caption, and a summary table per round at the end. When the error
/// stream is redirected, <see cref="LineProgress"/> writes plain lines instead.
/// </summary>
internal sealed class LiveProgress : IProgress<PruningProgress>
{
    private const int VisibleEpochs = 12; // older rows scroll away so the live table fits a terminal
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly Table _epochs;
    private readonly Stopwatch _sinceRefresh = Stopwatch.StartNew();
    private LiveDisplayContext? _context;

    private LiveProgress()
    {
        _epochs = new Table().Border(TableBorder.Rounded).Title("mlnet-prune");
        foreach (var column in new[] { "phase", "epochs", "loss", "validation", "sparsity", "flow distance" })
        {
            _epochs.AddColumn(new TableColumn(column).RightAligned());
        }

        _epochs.Caption("starting");
    }

    /// <summary>True when <paramref name="error"/> is the process's own error stream and it is a terminal.</summary>
    public static bool IsInteractive(TextWriter error) =>
        ReferenceEquals(error, System.Console.Error) && !System.Console.IsErrorRedirected && ErrorConsole(error).Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="run"/> with a live display it reports to.</summary>
    public static T Run<T>(TextWriter error, Func<IProgress<PruningProgress>, T> run)
    {
        var progress = new LiveProgress();
        return ErrorConsole(error).Live(progress._epochs).AutoClear(false).Start(context =>
        {
            progress._context = context;
            return run(progress);
        });
    }

    /// <summary>Writes one row per round (and the dense reference) as a table.</summary>
    public static void WriteSummary(TextWriter error, PruningReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{report.Method} on {report.Architecture}"));
        foreach (var column in new[] { "round", "sparsity", "epochs", "stop reason", $"val {report.Metric}", $"test {report.Metric}", "flow", "wall s" })
        {
            // Stop reasons are single words with hyphens: wrapping them mid-word helps nobody.
            table.AddColumn(column == "stop reason" ? new TableColumn(column).NoWrap() : new TableColumn(column).RightAligned());
        }

        if (report.Dense is { } d)
        {
            table.AddRow("dense", "0.0 %", d.Epochs.ToString(C), "", report.FormatMetric(d.ValMetric), report.FormatMetric(d.TestMetric), "", d.WallSeconds.ToString("F1", C));
        }

        foreach (var r in report.Rounds)
        {
            table.AddRow(r.Round.ToString(C), r.Sparsity.ToString("P1", C), r.Epochs.ToString("0.##", C), Markup.Escape(r.StopReason),
                report.FormatMetric(r.ValMetric), report.FormatMetric(r.TestMetric), r.FlowDistance?.ToString("F4", C) ?? "–", r.WallSeconds.ToString("F1", C));
        }

        ErrorConsole(error).Write(table);
    }

    public void Report(PruningProgress p)
    {
        string where = p.Phase == "round" ? string.Create(C, $"round {p.Round}/{p.Rounds}") : p.Phase;
        if (p.IsCheck)
        {
            _epochs.AddRow(where, p.Epochs.ToString("0.##", C), p.TrainLoss.ToString("F4", C), ProgressText.Metric(p.MetricName, p.ValMetric!.Value),
                p.Sparsity.ToString("P1", C), p.FlowDistance?.ToString("F4", C) ?? "–");
            while (_epochs.Rows.Count > VisibleEpochs)
            {
                _epochs.Rows.RemoveAt(0);
            }
        }

        // Some reports carry no batch position or no sparsity yet (NaN); show only what is known.
        string batch = p.BatchCount > 0 ? string.Create(C, $"batch {p.Batch}/{p.BatchCount}, ") : "";
        string sparsity = double.IsFinite(p.Sparsity) ? string.Create(C, $", sparsity {p.Sparsity:P1}") : "";
        _epochs.Caption(string.Create(C, $"{where} epoch {p.Epoch}: {batch}loss {p.TrainLoss:F4}{sparsity}"));
        // Batch reports come often; redraw at most ten times a second, but always at the end of an epoch.
        if (p.IsCheck || _sinceRefresh.ElapsedMilliseconds >= 100)
        {
            _context?.Refresh();
            _sinceRefresh.Restart();
        }
    }

    private static IAnsiConsole ErrorConsole(TextWriter error) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
}

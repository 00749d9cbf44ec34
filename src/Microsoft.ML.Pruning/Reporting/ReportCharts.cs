using System.Globalization;
using Microsoft.ML.Pruning.Pruning;
using ScottPlot;

namespace Microsoft.ML.Pruning.Reporting;

/// <summary>
/// PNG charts of pruning reports and method comparisons (ScottPlot). Each method returns the PNG bytes, or null when
/// the report holds nothing to draw, so notebooks can show them and <see cref="ReportWriter"/> can write them.
/// </summary>
public static class ReportCharts
{
    /// <summary>Default chart width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default chart height in pixels.</summary>
    public const int DefaultHeight = 500;

    /// <summary>
    /// Validation and test accuracy (%) against sparsity (%) after each round, with the dense accuracies as
    /// horizontal reference lines. Null when the report has no rounds.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? AccuracyVsSparsity(PruningReport report, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Rounds.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        double[] sparsity = report.Rounds.Select(r => r.Sparsity * 100).ToArray();
        double scale = report.Metric == "accuracy" ? 100 : 1;
        var val = plot.Add.Scatter(sparsity, report.Rounds.Select(r => r.ValMetric * scale).ToArray());
        val.LegendText = "validation";
        val.LineWidth = 2;
        val.MarkerSize = 7;
        var test = plot.Add.Scatter(sparsity, report.Rounds.Select(r => r.TestMetric * scale).ToArray());
        test.LegendText = "test";
        test.LineWidth = 2;
        test.MarkerSize = 7;
        if (report.Dense is { } dense)
        {
            var dv = plot.Add.HorizontalLine(dense.ValMetric * scale);
            dv.LegendText = "dense validation";
            dv.Color = val.Color;
            dv.LinePattern = LinePattern.Dashed;
            var dt = plot.Add.HorizontalLine(dense.TestMetric * scale);
            dt.LegendText = "dense test";
            dt.Color = test.Color;
            dt.LinePattern = LinePattern.Dotted;
        }

        plot.Title($"{MetricLabel(report.Metric)} vs sparsity: {report.Method} on {report.Architecture}");
        plot.XLabel("sparsity of prunable weights (%)");
        plot.YLabel(report.Metric == "accuracy" ? "accuracy (%)" : MetricLabel(report.Metric));
        plot.ShowLegend(Edge.Right); // outside the data area: a legend inside would hide points
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Retraining epochs of each round, as bars. Null when the report has no rounds.</summary>
    /// <param name="report">The report.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? EpochsPerRound(PruningReport report, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Rounds.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        plot.Add.Bars(report.Rounds.Select(r => (double)r.Round).ToArray(), report.Rounds.Select(r => r.Epochs).ToArray());
        IntegerTicks(plot.Axes.Bottom);
        plot.Axes.Margins(bottom: 0); // bars stand on the axis
        plot.Axes.SetLimitsY(0, report.Rounds.Max(r => r.Epochs) * 1.1 + 0.5); // headroom above the tallest bar
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Retraining epochs per round: {report.Method} ({report.Rounds.Sum(r => r.Epochs):0.##} in all)"));
        plot.XLabel("round");
        plot.YLabel("retraining epochs");
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// The flow distance at each check point against retraining progress (epochs into the round), one line per round,
    /// with the ICP threshold <paramref name="epsilon"/> as a horizontal line when given. Null when no round measured flows.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="epsilon">The stopping threshold of the flow distance, if known.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? FlowDistance(PruningReport report, double? epsilon = null, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(report);
        var measured = report.Rounds.Where(r => r.Checks.Any(c => c.FlowDistance.HasValue)).ToList();
        if (measured.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        // The threshold first, so the measured points are drawn over it.
        if (epsilon is { } eps)
        {
            var threshold = plot.Add.HorizontalLine(eps);
            threshold.LegendText = string.Create(CultureInfo.InvariantCulture, $"epsilon = {eps:G3}");
            threshold.Color = Colors.Black;
            threshold.LinePattern = LinePattern.Dashed;
        }

        var colors = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < measured.Count; i++)
        {
            var r = measured[i];
            var points = r.Checks.Where(c => c.FlowDistance.HasValue).ToList();
            var line = plot.Add.Scatter(points.Select(c => c.Epochs).ToArray(), points.Select(c => c.FlowDistance!.Value).ToArray());
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"round {r.Round} ({r.Sparsity:P0})");
            line.Color = colors.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }

        plot.Title($"Flow distance to the dense network: {report.Method}");
        plot.XLabel("retraining in the round (epochs)");
        plot.YLabel("flow distance");
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// Final test accuracy (%) against retraining epochs, one point per method and seed, coloured by method.
    /// Null when the comparison holds no finished run.
    /// </summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? AccuracyVsEpochs(MethodComparison comparison, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var runs = comparison.Runs.Where(r => r.Final is not null).ToList();
        if (runs.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        var colors = new ScottPlot.Palettes.Category10();
        var methods = runs.Select(r => r.Method).Distinct().ToList();
        for (int i = 0; i < methods.Count; i++)
        {
            var mine = runs.Where(r => r.Method == methods[i]).ToList();
            // Retraining epochs: the dense pre-training is the same for every method, so it is left out.
            double[] xs = mine.Select(r => (double)(r.TotalEpochs - (r.Dense?.Epochs ?? 0))).ToArray();
            double[] ys = mine.Select(r => r.Final!.TestMetric * (comparison.Metric == "accuracy" ? 100 : 1)).ToArray();
            var points = plot.Add.ScatterPoints(xs, ys);
            points.LegendText = methods[i];
            points.Color = colors.GetColor(i);
            points.MarkerSize = 10;
        }

        plot.Axes.Margins(horizontal: 0.15, vertical: 0.15); // keep the outermost runs off the frame
        plot.Title($"Test {comparison.Metric} vs retraining cost: {comparison.Architecture}");
        plot.XLabel("retraining epochs (all rounds)");
        plot.YLabel(comparison.Metric == "accuracy" ? "final test accuracy (%)" : $"final test {MetricLabel(comparison.Metric)}");
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// The test metric after each round, mean over seeds, one line per method (the reference code's accuracy panel).
    /// Null when no run has rounds.
    /// </summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? MetricPerRound(MethodComparison comparison, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        double scale = comparison.Metric == "accuracy" ? 100 : 1;
        return PerRoundPanel(comparison, r => r.TestMetric * scale, $"Test {comparison.Metric} per round: {comparison.Architecture}",
            comparison.Metric == "accuracy" ? "test accuracy (%)" : $"test {MetricLabel(comparison.Metric)}", width, height);
    }

    /// <summary>Retraining epochs of each round, mean over seeds, one line per method (the reference code's epochs panel).</summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? RetrainingPerRound(MethodComparison comparison, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return PerRoundPanel(comparison, r => r.Epochs, $"Retraining epochs per round: {comparison.Architecture}", "retraining epochs", width, height);
    }

    /// <summary>Remaining weights (%) after each round, mean over seeds, one line per method (the reference code's compression panel).</summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[]? RemainingWeightsPerRound(MethodComparison comparison, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return PerRoundPanel(comparison, r => (1 - r.Sparsity) * 100, $"Remaining weights per round: {comparison.Architecture}", "remaining prunable weights (%)", width, height);
    }

    private static byte[]? PerRoundPanel(MethodComparison comparison, Func<RoundResult, double> value, string title, string yLabel, int width, int height)
    {
        var methods = comparison.Runs.Where(r => r.Rounds.Count > 0).Select(r => r.Method).Distinct().ToList();
        if (methods.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        var colors = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < methods.Count; i++)
        {
            // Mean over the method's seeds, round by round, as far as every seed got.
            var runs = comparison.Runs.Where(r => r.Method == methods[i]).ToList();
            int rounds = runs.Min(r => r.Rounds.Count);
            double[] xs = Enumerable.Range(1, rounds).Select(x => (double)x).ToArray();
            double[] ys = xs.Select(x => runs.Average(r => value(r.Rounds[(int)x - 1]))).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = methods[i];
            line.Color = colors.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }

        IntegerTicks(plot.Axes.Bottom);
        plot.Title(title);
        plot.XLabel("pruning round");
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static string MetricLabel(string metric) => metric switch
    {
        "accuracy" => "Accuracy",
        "r2" => "R²",
        _ => metric,
    };

    private static void IntegerTicks(ScottPlot.IAxis axis) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Networks;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>
/// Tabular tasks through ML.NET as an app would write them: TextLoader → (label mapping) → NormalizeMeanVariance →
/// PruneIterative → Evaluate with the default columns → Model.Save / Model.Load → Evaluate again (must be identical).
/// Breast cancer (binary, AUC), diabetes (regression, R²), and a generated few-hundred-row three-class table (macro
/// accuracy against the dense MLP of the same pipeline). Each split seed shuffles the rows into 75% train / 25% test;
/// the dense run and the pruned run of a seed share everything but the rounds.
/// </summary>
internal static class TabularBenchmark
{
    private sealed record Table(string Name, string Task, string File, TextLoader.Column[] Columns, Func<MLContext, IEstimator<ITransformer>> Label, string Metric);

    private sealed record Outcome(double Metric, double Sparsity, double Epochs, bool Identical, double Seconds, string Stops = "");

    public static string Run(string tabularFolder, string generatedFolder, int seeds, string architecture, int rounds, double rate, double? validationFraction, Action<IterativePruningOptions>? tune = null, string? only = null)
    {
        Directory.CreateDirectory(generatedFolder);
        string wine = Path.Combine(generatedFolder, "three-class.csv");
        SyntheticTable.Write(wine, rows: 300, seed: 20261202);
        var tables = new[]
        {
            new Table("breast cancer (569 rows, 30 features)", "binary", Path.Combine(tabularFolder, "breast-cancer.csv"),
                new[] { new TextLoader.Column("Features", DataKind.Single, 0, 29), new TextLoader.Column("diagnosis", DataKind.String, 30) },
                ml => ml.Transforms.Conversion.MapValue("Label", new[] { Pair("malignant", true), Pair("benign", false) }, "diagnosis"), "test AUC"),
            new Table("diabetes (442 rows, 10 features)", "regression", Path.Combine(tabularFolder, "diabetes.csv"),
                new[] { new TextLoader.Column("Features", DataKind.Single, 0, 9), new TextLoader.Column("Label", DataKind.Single, 10) },
                _ => new EstimatorChain<ITransformer>(), "test R²"),
            new Table($"generated three-class ({SyntheticTable.Describe(300)})", "multiclass", wine,
                new[] { new TextLoader.Column("Features", DataKind.Single, 0, SyntheticTable.Features - 1), new TextLoader.Column("class", DataKind.String, SyntheticTable.Features) },
                ml => ml.Transforms.Conversion.MapValueToKey("Label", "class"), "test macro accuracy"),
        };

        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Pipeline per table and split seed: TextLoader → label mapping → NormalizeMeanVariance → PruneIterative ({architecture}, {rounds} rounds of {rate:P0}, defaults otherwise{(validationFraction is { } v ? $", ValidationFraction {v}" : "")}) → Evaluate (default columns) → Model.Save/Load → Evaluate. The dense column is the same pipeline with 0 rounds. Split: seeded shuffle, 75% train / 25% test; {seeds} seeds; median [min – max].");
        text.AppendLine();
        text.AppendLine("| table | task | metric | dense | pruned | pruned − dense | sparsity | epochs (pruned run) | reload identical | seconds (pruned) |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var table in tables.Where(t => only is null || only.Contains(t.Task)))
        {
            if (!File.Exists(table.File))
            {
                text.AppendLine(c, $"| {table.Name} | {table.Task} | skipped: {table.File} not found | | | | | | | |");
                continue;
            }

            var dense = new List<Outcome>();
            var pruned = new List<Outcome>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                // Interleaved: the dense and pruned runs of a seed run back to back.
                dense.Add(RunOne(table, seed, architecture, 0, rate, validationFraction, tune));
                pruned.Add(RunOne(table, seed, architecture, rounds, rate, validationFraction, tune));
                Console.Error.WriteLine($"{table.Task} seed {seed}: dense {dense[^1].Metric:F4} pruned {pruned[^1].Metric:F4} at {pruned[^1].Sparsity:P1} ({pruned[^1].Epochs:0.#} epochs) identical {pruned[^1].Identical} {pruned[^1].Stops}");
            }

            var gaps = dense.Zip(pruned, (d, p) => p.Metric - d.Metric).ToList();
            text.AppendLine(c,
                $"| {table.Name} | {table.Task} | {table.Metric} | {Spread(dense.Select(o => o.Metric))} | {Spread(pruned.Select(o => o.Metric))} | {Spread(gaps, signed: true)} | {Spread(pruned.Select(o => o.Sparsity), percent: true)} | {Spread(pruned.Select(o => o.Epochs), digits: 1)} | {pruned.Count(o => o.Identical) + dense.Count(o => o.Identical)}/{2 * seeds} | {Spread(pruned.Select(o => o.Seconds), digits: 1)} |");
        }

        return text.ToString();
    }

    private static KeyValuePair<string, bool> Pair(string key, bool value) => new(key, value);

    private static Outcome RunOne(Table table, int seed, string architecture, int rounds, double rate, double? validationFraction, Action<IterativePruningOptions>? tune)
    {
        var ml = new MLContext(seed: seed);
        var all = ml.Data.LoadFromTextFile(table.File, table.Columns, separatorChar: ',', hasHeader: true);
        var split = ml.Data.TrainTestSplit(all, testFraction: 0.25, seed: seed);
        var labelled = table.Label(ml).Fit(split.TrainSet);
        var normalize = ml.Transforms.NormalizeMeanVariance("Features").Fit(labelled.Transform(split.TrainSet));
        var options = new IterativePruningOptions
        {
            Architecture = NetworkArchitecture.Parse(architecture),
            Rounds = rounds,
            RatePerRound = rate,
            Seed = seed,
            TestData = normalize.Transform(labelled.Transform(split.TestSet)),
        };
        if (validationFraction is { } v)
        {
            options.ValidationFraction = v;
        }

        tune?.Invoke(options);
        var clock = Stopwatch.StartNew();
        var model = table.Label(ml).Append(ml.Transforms.NormalizeMeanVariance("Features")).Append(ml.Transforms.PruneIterative(options)).Fit(split.TrainSet);
        double seconds = clock.Elapsed.TotalSeconds;
        var report = model.LastTransformer.Report;
        double metric = Evaluate(ml, table.Task, model.Transform(split.TestSet), out string fingerprint);

        string path = Path.Combine(Path.GetTempPath(), $"tabular-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, all.Schema, path);
            model.Dispose();
            var fresh = new MLContext(seed: 99);
            ScalarScoreMapping.Register(fresh);
            var loaded = fresh.Model.Load(path, out _);
            var reread = fresh.Data.TrainTestSplit(fresh.Data.LoadFromTextFile(table.File, table.Columns, separatorChar: ',', hasHeader: true), testFraction: 0.25, seed: seed);
            double again = Evaluate(fresh, table.Task, loaded.Transform(reread.TestSet), out string fingerprintAgain);
            (loaded as IDisposable)?.Dispose();
            return new Outcome(metric, report.Final?.Sparsity ?? 0, report.TotalEpochs, again == metric && fingerprint == fingerprintAgain, seconds,
                string.Join(",", report.Rounds.Select(r => $"{r.Epochs:0.##}:{r.StopReason}")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The table's metric, and every metric ML.NET reports for the task (for the identical-reload check).</summary>
    private static double Evaluate(MLContext ml, string task, IDataView scored, out string fingerprint)
    {
        var c = CultureInfo.InvariantCulture;
        switch (task)
        {
            case "binary":
            {
                var m = ml.BinaryClassification.Evaluate(scored);
                fingerprint = string.Join(";", new[] { m.AreaUnderRocCurve, m.Accuracy, m.LogLoss, m.F1Score, m.AreaUnderPrecisionRecallCurve }.Select(x => x.ToString("R", c)));
                return m.AreaUnderRocCurve;
            }

            case "regression":
            {
                var m = ml.Regression.Evaluate(scored);
                fingerprint = string.Join(";", new[] { m.RSquared, m.MeanAbsoluteError, m.RootMeanSquaredError }.Select(x => x.ToString("R", c)));
                return m.RSquared;
            }

            default:
            {
                var m = ml.MulticlassClassification.Evaluate(scored);
                fingerprint = string.Join(";", new[] { m.MacroAccuracy, m.MicroAccuracy, m.LogLoss }.Select(x => x.ToString("R", c)));
                return m.MacroAccuracy;
            }
        }
    }

    private static string Spread(IEnumerable<double> values, bool signed = false, bool percent = false, int digits = 3)
    {
        var sorted = values.OrderBy(x => x).ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        string F(double x) => percent ? x.ToString("P1", CultureInfo.InvariantCulture)
            : (signed && x >= 0 ? "+" : "") + x.ToString("F" + digits, CultureInfo.InvariantCulture);
        return $"{F(median)} [{F(sorted[0])} – {F(sorted[^1])}]";
    }
}

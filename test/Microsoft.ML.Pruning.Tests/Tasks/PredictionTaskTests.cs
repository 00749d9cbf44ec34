using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Tasks;
using TorchSharp;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Tasks;

/// <summary>The task decides loss, metric and output width: binary classification and regression train, prune and report.</summary>
public sealed class PredictionTaskTests
{
    public PredictionTaskTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Fact]
    public void BinaryMetricsAreAccuracyAtHalfAndTheExactAuc()
    {
        // Logits 0.1 < 0.4 < 0.4 < 0.8 with labels 0, 1, 0, 1: 3 of 4 pairs ordered right, one tie counted half.
        var metrics = Evaluate(PredictionTask.Binary, new float[] { 0.1f, 0.4f, 0.4f, 0.8f }, new long[] { 0, 1, 0, 1 });

        Assert.Equal(0.5, metrics.Accuracy); // every logit is above 0: everything predicted positive
        Assert.Equal(0.875, metrics.Auc!.Value, 12);
        Assert.Equal(metrics.Accuracy, metrics.Metric);
    }

    [Fact]
    public void RegressionMetricIsRSquared()
    {
        // Targets 1, 2, 3, 4 (mean 2.5, SST 5); predictions off by 1, 0, 0, -1: SSE 2, R² = 1 - 2/5.
        var metrics = Evaluate(PredictionTask.Regression, new float[] { 2, 2, 3, 3 }, new float[] { 1, 2, 3, 4 });

        Assert.Equal(0.6, metrics.Metric, 12);
        Assert.Null(metrics.Accuracy);
        Assert.Equal(0.5, metrics.Loss, 6); // mean squared error
    }

    [Fact]
    public void RegressionRunsEndToEndAndReportsRSquared()
    {
        var data = Linear(600, seed: 1).SplitByIndex(0.6, 0.2, 0.2);
        var definition = NetworkArchitecture.Mlp(32).Define(6, null, 1);
        var options = FastOptions() with { Rounds = 2, PretrainEpochs = 15, Rewind = RewindPoint.Dense, Stopping = Microsoft.ML.Pruning.Stopping.StoppingPolicy.FixedEpochs(3) };

        using var result = new IterativePruner(options).Run(definition, data);

        Assert.Equal(("regression", "r2"), (result.Report.Task, result.Report.Metric));
        Assert.True(result.Report.Dense!.TestMetric > 0.8, $"dense R² {result.Report.Dense.TestMetric}");
        Assert.True(result.Report.Final!.TestMetric > 0.8, $"final R² {result.Report.Final.TestMetric}");
        Assert.Null(result.Report.Final.TestAccuracy);
        Assert.Contains("\"metric\": \"r2\"", result.Report.ToJson());
    }

    [Fact]
    public void BinaryClassificationRunsWithOneOutput()
    {
        var all = Linear(600, seed: 2);
        var labels = all.Targets.ToArray().Select(t => t > 0 ? 1L : 0L).ToArray();
        var data = new InMemoryDataset(all.Features.ToArray(), labels, 6, classCount: 2, name: "signs").SplitByIndex(0.6, 0.2, 0.2);
        var options = FastOptions() with { Task = PredictionTask.Binary, Rounds = 2, PretrainEpochs = 10, Rewind = RewindPoint.Dense, Stopping = Microsoft.ML.Pruning.Stopping.StoppingPolicy.FixedEpochs(3) };

        using var result = new IterativePruner(options).Run(NetworkArchitecture.Mlp(16).Define(6, null, 1), data);

        Assert.Equal("binary", result.Report.Task);
        Assert.True(result.Report.Final!.TestAccuracy > 0.9, $"accuracy {result.Report.Final.TestAccuracy}");
        Assert.True(result.Report.Final.TestAuc > 0.95, $"AUC {result.Report.Final.TestAuc}");
    }

    [Fact]
    public void DataThatDoesNotFitTheTaskIsRefusedBeforeTraining()
    {
        var options = FastOptions() with { Task = PredictionTask.Binary };

        var tooMany = Assert.Throws<ArgumentException>(() => new IterativePruner(options).Run(NetworkArchitecture.Mlp(8).Define(784, null, 1), Digits));
        var wrongWidth = Assert.Throws<ArgumentException>(() => new IterativePruner(options).Run(DigitMlp(8), Digits));
        var regressionOnClasses = Assert.Throws<ArgumentException>(() =>
            new IterativePruner(FastOptions() with { Task = PredictionTask.Regression }).Run(NetworkArchitecture.Mlp(8).Define(784, null, 1), Digits));

        Assert.Contains("10 classes; binary classification needs exactly two", tooMany.Message);
        Assert.Contains("has 10 outputs but the binary task needs 1", wrongWidth.Message);
        Assert.Contains("regression needs real-valued targets", regressionOnClasses.Message);
    }

    /// <summary>y = a·x + small noise over 6 Gaussian features.</summary>
    private static InMemoryDataset Linear(int rows, long seed)
    {
        var rng = new SeededRandom(seed);
        var weights = new[] { 1.5, -2.0, 0.5, 1.0, 0.0, -0.7 };
        var x = new float[rows * 6];
        var y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int f = 0; f < 6; f++)
            {
                x[i * 6 + f] = (float)rng.NextGaussian();
                sum += weights[f] * x[i * 6 + f];
            }

            y[i] = (float)(sum + 0.1 * rng.NextGaussian());
        }

        return new InMemoryDataset(x, y, 6, name: "linear");
    }

    private static EvaluationMetrics Evaluate(PredictionTask task, float[] outputs, Array targets)
    {
        using var scope = torch.NewDisposeScope();
        var output = torch.tensor(outputs).reshape(outputs.Length, 1);
        var target = targets is long[] l ? torch.tensor(l) : torch.tensor((float[])targets);
        var accumulator = task.CreateAccumulator();
        accumulator.Add(output, target, task.Loss(output, target).item<float>() * outputs.Length);
        return accumulator.Result();
    }
}

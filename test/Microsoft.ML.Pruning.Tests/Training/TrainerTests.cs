using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Tests.Training;

public sealed class TrainerTests
{
    public TrainerTests() => TorchSharpNativeLoader.EnsureLoaded();

    /// <summary>Three Gaussian blobs in 8 dimensions: learnable in a few epochs.</summary>
    private static InMemoryDataset Blobs(int count, long seed)
    {
        var rng = new SeededRandom(seed);
        var centres = new double[3, 8];
        var centreRng = new SeededRandom(12345);
        for (int c = 0; c < 3; c++)
        {
            for (int f = 0; f < 8; f++)
            {
                centres[c, f] = centreRng.NextGaussian() * 2;
            }
        }

        var x = new float[count * 8];
        var y = new long[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            y[i] = c;
            for (int f = 0; f < 8; f++)
            {
                x[i * 8 + f] = (float)(centres[c, f] + rng.NextGaussian());
            }
        }

        return new InMemoryDataset(x, y, 8, classCount: 3, name: "blobs");
    }

    private static nn.Module<Tensor, Tensor> SmallNet(long seed)
    {
        TrainingSeed.Apply(seed);
        return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3));
    }

    [Fact]
    public void TrainingLearnsTheBlobs()
    {
        using var train = new TensorBatches(Blobs(600, 1), seed: 1);
        using var test = new TensorBatches(Blobs(300, 2), seed: 1);
        var model = SmallNet(7);
        using var trainer = new Trainer(model, new TrainingOptions { Optimizer = OptimizerOptions.Sgd(0.05), BatchSize = 32 });

        double before = trainer.Evaluate(test).Metric;
        EpochResult? last = null;
        for (int epoch = 0; epoch < 5; epoch++)
        {
            last = trainer.TrainEpoch(train, epoch);
        }

        var after = trainer.Evaluate(test);
        Assert.True(after.Accuracy > 0.9, $"accuracy {after.Accuracy:P1} (was {before:P1})");
        Assert.Equal(600, last!.Samples);
        Assert.Equal(5, trainer.EpochsTrained);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void SameSeedGivesBitIdenticalWeights(string optimizer)
    {
        byte[] Run()
        {
            using var train = new TensorBatches(Blobs(300, 1), seed: 3);
            var model = SmallNet(11);
            OptimizerOptions opt = optimizer == "sgd" ? OptimizerOptions.Sgd(0.05, weightDecay: 1e-4) : OptimizerOptions.Adam();
            using var trainer = new Trainer(model, new TrainingOptions { Optimizer = opt, BatchSize = 16 });
            for (int epoch = 0; epoch < 3; epoch++)
            {
                trainer.TrainEpoch(train, epoch);
            }

            return model.parameters().SelectMany(p => p.data<float>().ToArray()).SelectMany(BitConverter.GetBytes).ToArray();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void CancellationStopsWithinOneBatch()
    {
        using var train = new TensorBatches(Blobs(600, 1), seed: 1);
        var model = SmallNet(1);
        using var trainer = new Trainer(model, new TrainingOptions { BatchSize = 10, ProgressInterval = 1 });
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            reports++;
            if (p.Batch == 5)
            {
                cts.Cancel();
            }
        });

        Assert.Throws<OperationCanceledException>(() => trainer.TrainEpoch(train, 0, "dense", progress, cts.Token));
        Assert.Equal(5, reports);
        Assert.Equal(0, trainer.EpochsTrained);
    }

    [Fact]
    public void HooksRunAroundEveryOptimizerStep()
    {
        using var train = new TensorBatches(Blobs(100, 1), seed: 1);
        var model = SmallNet(1);
        using var trainer = new Trainer(model, new TrainingOptions { BatchSize = 30 });
        var hook = new RecordingHook();
        trainer.Hooks.Add(hook);

        trainer.TrainEpoch(train, 0);

        Assert.Equal(string.Concat(Enumerable.Repeat("BA", 4)), hook.Calls.ToString());
    }

    [Fact]
    public void TheRunningLossKeepsNoBatchGraphAlive()
    {
        // A loss sum that joined the autograd graph held every batch's activations until the epoch ended: a conv net's
        // memory grew by gigabytes an epoch. The sum must stay outside the graph, in pieces and at epoch ends.
        using var train = new TensorBatches(Blobs(200, 1), seed: 1);
        var model = SmallNet(1);
        using var trainer = new Trainer(model, new TrainingOptions { BatchSize = 30 });

        trainer.TrainBatches(train, 0, 3);
        Assert.False(trainer.EpochLossTracksGradients);
        trainer.TrainEpoch(train, 0);
        Assert.False(trainer.EpochLossTracksGradients);
    }

    [Fact]
    public void AnEpochTrainedInPiecesEqualsOneTrainedAtOnce()
    {
        // Sub-epoch decisions train an epoch in stretches: the weights must not depend on where the stretches end.
        using var train = new TensorBatches(Blobs(300, 1), seed: 1);
        var whole = SmallNet(5);
        var pieces = SmallNet(5);
        using var a = new Trainer(whole, new TrainingOptions { Optimizer = OptimizerOptions.Adam(1e-2), BatchSize = 16 });
        using var b = new Trainer(pieces, new TrainingOptions { Optimizer = OptimizerOptions.Adam(1e-2), BatchSize = 16 });

        var epoch = a.TrainEpoch(train, 0);
        var first = b.TrainBatches(train, 0, 5);
        var second = b.TrainBatches(train, 0, 7);
        var rest = b.TrainBatches(train, 0, 100);

        Assert.Equal((5, false), (first.Batches, first.EpochCompleted));
        Assert.Equal(19 - 12, rest.Batches); // 300 rows in batches of 16: 19 batches, the last one of 12 rows
        Assert.True(rest.EpochCompleted);
        Assert.Equal(300, first.Samples + second.Samples + rest.Samples);
        Assert.Equal(epoch.TrainLoss, rest.EpochLoss!.Value, 12);
        Assert.Equal(1, b.EpochsTrained);
        Assert.Equal(0, b.BatchesIntoEpoch);
        Assert.Equal(Pruning.PruningTestKit.StateBytes(whole), Pruning.PruningTestKit.StateBytes(pieces));
    }

    [Fact]
    public void AnAbandonedEpochMakesTheNextStartAFreshShuffle()
    {
        using var train = new TensorBatches(Blobs(300, 1), seed: 1);
        using var trainer = new Trainer(SmallNet(5), new TrainingOptions { BatchSize = 16 });

        trainer.TrainBatches(train, 0, 4);
        Assert.Equal(4, trainer.BatchesIntoEpoch);
        Assert.NotNull(trainer.CurrentEpochLoss);
        trainer.AbandonEpoch();
        trainer.AbandonEpoch(); // between epochs: nothing to drop

        Assert.Equal(1, trainer.EpochsTrained);
        Assert.Equal(0, trainer.BatchesIntoEpoch);
        Assert.Null(trainer.CurrentEpochLoss);
        Assert.True(trainer.TrainEpoch(train, 1).Samples == 300);
    }

    [Fact]
    public void NoTensorsLeakAcrossEpochs()
    {
        using var train = new TensorBatches(Blobs(300, 1), seed: 1);
        using var val = new TensorBatches(Blobs(100, 2), seed: 1);
        var model = SmallNet(1);
        using var trainer = new Trainer(model, new TrainingOptions { BatchSize = 16, ProgressInterval = 3 });
        var progress = new SynchronousProgress<TrainingProgress>(_ => { });
        trainer.TrainEpoch(train, 0, progress: progress);
        trainer.Evaluate(val);
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int epoch = 1; epoch < 6; epoch++)
        {
            trainer.TrainEpoch(train, epoch, progress: progress);
            trainer.Evaluate(val);
        }

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void LearningRateFollowsTheSchedule()
    {
        using var train = new TensorBatches(Blobs(60, 1), seed: 1);
        var model = SmallNet(1);
        var options = new TrainingOptions { Optimizer = OptimizerOptions.Sgd(0.1), Schedule = LearningRateSchedule.Step(2, 0.5), BatchSize = 30 };
        using var trainer = new Trainer(model, options);

        var rates = Enumerable.Range(0, 5).Select(e => trainer.TrainEpoch(train, e).LearningRate).ToArray();

        Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.05, 0.025 }, rates, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void CosineScheduleAnnealsToItsMinimum()
    {
        var cosine = LearningRateSchedule.Cosine(10, 0.1);
        Assert.Equal(1.0, cosine.Factor(0), 12);
        Assert.Equal(0.55, cosine.Factor(5), 12);
        Assert.Equal(0.1, cosine.Factor(10), 12);
        Assert.Equal(0.1, cosine.Factor(15), 12);
    }

    [Fact]
    public void InvalidOptionsNameTheOption()
    {
        var model = SmallNet(1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainingOptions { BatchSize = 0 }));
        Assert.Equal("BatchSize", e.ParamName);
        var lr = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainingOptions { Optimizer = OptimizerOptions.Sgd(-1) }));
        Assert.Equal("LearningRate", lr.ParamName);
        var momentum = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new TrainingOptions { Optimizer = OptimizerOptions.Sgd(0.1, momentum: 1.5) }));
        Assert.Equal("Momentum", momentum.ParamName);
    }

    private sealed class RecordingHook : ITrainingStepHook
    {
        public System.Text.StringBuilder Calls { get; } = new();

        public void BeforeStep(nn.Module model) => Calls.Append('B');

        public void AfterStep(nn.Module model) => Calls.Append('A');
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

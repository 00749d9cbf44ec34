using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Training;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>Options out of range are refused up front, by exceptions that name the option, before any training.</summary>
public sealed class OptionsValidationTests
{
    public OptionsValidationTests() => TorchSharpNativeLoader.EnsureLoaded();

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void RateOutsideZeroOneIsRefused(double rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PruningRate.Fixed(rate));

        Assert.Equal("rate", e.ParamName);
        Assert.Contains("(0, 1)", e.Message);
    }

    [Fact]
    public void NegativeRoundsAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { Rounds = -1 }));

        Assert.Equal(nameof(IterativePrunerOptions.Rounds), e.ParamName);
    }

    [Fact]
    public void NegativeEpochCountsAreRefused()
    {
        Assert.Equal(nameof(IterativePrunerOptions.PretrainEpochs),
            Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { PretrainEpochs = -1 })).ParamName);
        Assert.Equal(nameof(IterativePrunerOptions.FinalFineTuneEpochs),
            Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { FinalFineTuneEpochs = -1 })).ParamName);
    }

    [Fact]
    public void RewindEpochBeyondPretrainingIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { PretrainEpochs = 2, Rewind = RewindPoint.AfterEpochs(3) }));

        Assert.Equal(nameof(IterativePrunerOptions.Rewind), e.ParamName);
        Assert.Contains(nameof(IterativePrunerOptions.PretrainEpochs), e.Message);
        // At the limit it is fine.
        _ = new IterativePruner(FastOptions() with { PretrainEpochs = 2, Rewind = RewindPoint.AfterEpochs(2) });
    }

    [Fact]
    public void InvalidRewindPointsAreRefused()
    {
        Assert.Equal("epochs", Assert.Throws<ArgumentOutOfRangeException>(() => RewindPoint.AfterEpochs(-1)).ParamName);
        Assert.Contains("epoch:<k>", Assert.Throws<ArgumentException>(() => RewindPoint.Parse("sometimes")).Message);
        Assert.Equal(RewindPoint.AfterEpochs(3), RewindPoint.Parse("epoch:3"));
        Assert.Equal(RewindPoint.Init, RewindPoint.Parse("epoch:0"));
    }

    [Fact]
    public void OverrideNamingAnUnknownLayerIsRefusedBeforeTraining()
    {
        int reports = 0;
        var options = FastOptions() with { Overrides = new[] { LayerPruningOverride.Excluded("fc9") } };

        var e = Assert.Throws<ArgumentException>(() => Run(options, progress: _ => reports++));

        Assert.Equal(nameof(IterativePrunerOptions.Overrides), e.ParamName);
        Assert.Contains("'fc9'", e.Message);
        Assert.Contains("fc1, fc2", e.Message); // the layers it could have named
        Assert.Equal(0, reports);
    }

    [Fact]
    public void OverrideWithANonPositiveFactorIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { Overrides = new[] { LayerPruningOverride.Scaled("fc1", 0) } }));

        Assert.Equal(nameof(IterativePrunerOptions.Overrides), e.ParamName);
        Assert.Contains("fc1", e.Message);
    }

    [Fact]
    public void OutputLayerFactorOutsideZeroOneIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { OutputLayerRateFactor = 1.5 }));

        Assert.Equal(nameof(IterativePrunerOptions.OutputLayerRateFactor), e.ParamName);
    }

    [Fact]
    public void ResumeWithoutCheckpointDirectoryIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new IterativePruner(FastOptions() with { Resume = true }));

        Assert.Equal(nameof(IterativePrunerOptions.Resume), e.ParamName);
        Assert.Contains(nameof(IterativePrunerOptions.CheckpointDirectory), e.Message);
    }

    [Fact]
    public void InvalidTrainingOptionsAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IterativePruner(FastOptions() with { Training = new TrainingOptions { BatchSize = 0 } }));

        Assert.Equal(nameof(TrainingOptions.BatchSize), e.ParamName);
    }

    [Fact]
    public void DataThatDoesNotFitTheNetworkIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new IterativePruner(FastOptions()).Run(NetworkArchitecture.Mlp(16).Define(100, null, 10), Digits));

        Assert.Contains("784 features", e.Message);
    }

    [Fact]
    public void UnknownMethodIsRefusedWithTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => PruningMethods.Apply("magic", FastOptions(), 2, 0.2));

        Assert.Contains("'magic'", e.Message);
        Assert.Contains("lth", e.Message);
    }
}

using Microsoft.ML.Pruning.MLNet;
using Microsoft.ML.Pruning.Stopping;

namespace Microsoft.ML.Pruning.Tests.MLNet;

/// <summary>Below 1000 rows the defaults count training in optimizer steps and hold out 20%; at 1000 they are the usual ones.</summary>
public sealed class SmallTableDefaultsTests
{
    [Fact]
    public void BelowAThousandRowsTheDefaultsCountStepsAndHoldOutAFifth()
    {
        var options = new IterativePruningOptions();
        Assert.Equal(0.2, options.EffectiveValidationFraction(999));
        // 799 training rows in batches of 60: 14 steps an epoch.
        var engine = options.ToEngineOptions(rows: 999, trainRows: 799);
        Assert.Equal(43, engine.PretrainEpochs);                       // ⌈600 / 14⌉
        var icp = Assert.IsType<IcpStoppingPolicy>(engine.Stopping);
        Assert.Equal(22, icp.MaxEpochs);                                // ⌈300 / 14⌉
        Assert.Equal(8, icp.MinEpochs);                                 // ⌈100 / 14⌉
        Assert.Equal(25 / 14.0, icp.CheckEvery, 9);                     // every 25 steps
    }

    [Fact]
    public void AtAThousandRowsTheUsualDefaultsApply()
    {
        var options = new IterativePruningOptions();
        Assert.Equal(0.1, options.EffectiveValidationFraction(1000));
        var engine = options.ToEngineOptions(rows: 1000, trainRows: 900);
        Assert.Equal(10, engine.PretrainEpochs);
        var icp = Assert.IsType<IcpStoppingPolicy>(engine.Stopping);
        Assert.Equal(10, icp.MaxEpochs);
        Assert.Equal(0.25, icp.CheckEvery);
    }

    [Fact]
    public void OptionsSetByTheCallerAreKeptOnSmallTables()
    {
        var options = new IterativePruningOptions { PretrainEpochs = 3, EpochsPerRound = 4, ValidationFraction = 0.1, BatchSize = 10 };
        Assert.Equal(0.1, options.EffectiveValidationFraction(300));
        var engine = options.ToEngineOptions(rows: 300, trainRows: 270);
        Assert.Equal(3, engine.PretrainEpochs);
        var icp = Assert.IsType<IcpStoppingPolicy>(engine.Stopping);
        Assert.Equal(4, icp.MaxEpochs);
        Assert.Equal(4, icp.MinEpochs);                                 // ⌈100 / 27⌉ = 4, within the 4 epochs asked for

        var fixedPolicy = new FixedEpochsPolicy(2);
        Assert.Same(fixedPolicy, new IterativePruningOptions { Stopping = fixedPolicy }.ToEngineOptions(rows: 300, trainRows: 240).Stopping);
    }
}

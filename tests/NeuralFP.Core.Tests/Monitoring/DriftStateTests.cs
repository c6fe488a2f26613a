using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Tests.Monitoring;

/// <summary>A window's state carries the rate and the exact p-value, and alarms only on enough evidence.</summary>
public sealed class DriftStateTests
{
    private static readonly DriftOptions Options = new()
    {
        WindowSize = 500,
        Alpha = 0.01,
        ExpectedOodRate = 0.05,
        MinimumRecords = 20,
    };

    [Fact]
    public void ReportsRateAndExactPValue()
    {
        var state = DriftState.Evaluate(500, 40, Options);

        Assert.Equal(500, state.WindowCount);
        Assert.Equal(40, state.OodCount);
        Assert.Equal(0.08, state.Rate, 1e-15);
        Assert.Equal(0.05, state.ExpectedRate);
        // python3 exact tail(40, 500, '0.05') (see BinomialTailTests)
        Assert.Equal(0.0027009571817048954, state.PValue, 1e-13);
        Assert.True(state.Alarm);
    }

    [Fact]
    public void RateAtTheCalibratedFprIsNoAlarm()
    {
        var state = DriftState.Evaluate(500, 25, Options);

        Assert.Equal(0.5286492546033786, state.PValue, 1e-11);
        Assert.False(state.Alarm);
    }

    [Fact]
    public void TooFewVerdictsNeverAlarmEvenWhenAllAreOod()
    {
        var state = DriftState.Evaluate(10, 10, Options);

        Assert.True(state.PValue < Options.Alpha);
        Assert.False(state.Alarm);
    }

    [Fact]
    public void EmptyWindowHasRateZeroAndPValueOne()
    {
        var state = DriftState.Evaluate(0, 0, Options);

        Assert.Equal(0.0, state.Rate);
        Assert.Equal(1.0, state.PValue);
        Assert.False(state.Alarm);
    }

    [Theory]
    [InlineData(10, 11)]
    [InlineData(10, -1)]
    [InlineData(501, 3)]
    [InlineData(-1, 0)]
    public void RejectsCountsThatCannotCome(int windowCount, int oodCount)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftState.Evaluate(windowCount, oodCount, Options));
    }
}

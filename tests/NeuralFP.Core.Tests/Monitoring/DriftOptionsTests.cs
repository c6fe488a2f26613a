using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Tests.Monitoring;

/// <summary>Drift options are checked up front with messages that say what is allowed.</summary>
public sealed class DriftOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        new DriftOptions().Validate();
    }

    [Theory]
    [InlineData(0, 0.001, 0.05, 1, "WindowSize")]
    [InlineData(100, 0.0, 0.05, 10, "Alpha")]
    [InlineData(100, 1.0, 0.05, 10, "Alpha")]
    [InlineData(100, double.NaN, 0.05, 10, "Alpha")]
    [InlineData(100, 0.001, 0.0, 10, "ExpectedOodRate")]
    [InlineData(100, 0.001, 1.0, 10, "ExpectedOodRate")]
    [InlineData(100, 0.001, 0.05, 0, "MinimumRecords")]
    [InlineData(100, 0.001, 0.05, 101, "MinimumRecords")]
    public void OutOfRangeValuesAreRejectedByName(int window, double alpha, double rate, int minimum, string parameter)
    {
        var options = new DriftOptions { WindowSize = window, Alpha = alpha, ExpectedOodRate = rate, MinimumRecords = minimum };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void MonitorRefusesInvalidOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftMonitor(new DriftOptions { Alpha = 2 }));
    }
}

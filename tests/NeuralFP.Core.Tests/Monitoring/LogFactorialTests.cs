using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Tests.Monitoring;

/// <summary>ln(n!) is exact in the table and continuous across the switch to Stirling's series.</summary>
public sealed class LogFactorialTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.0)]
    [InlineData(5, 4.787491742782046)] // ln 120
    [InlineData(20, 42.335616460753485)] // ln 2432902008176640000
    public void SmallValuesAreExact(int n, double expected)
    {
        Assert.Equal(expected, LogFactorial.Of(n), 1e-13);
    }

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(10_000)]
    [InlineData(1_000_000)]
    public void ConsecutiveValuesDifferByTheLogarithmOfN(int n)
    {
        double step = LogFactorial.Of(n) - LogFactorial.Of(n - 1);

        Assert.Equal(Math.Log(n), step, 1e-9);
    }

    [Fact]
    public void LargeValueMatchesExactIntegerLogarithm()
    {
        // python3: from math import factorial, log; log(factorial(1000)) -> 5912.128178488163
        Assert.Equal(5912.128178488163, LogFactorial.Of(1000), 5912.128178488163 * 1e-13);
    }
}

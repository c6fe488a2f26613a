using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Tests.Monitoring;

/// <summary>P[X ≥ k] for X ~ Binomial(n, p) matches exact rational arithmetic, far into the tail.</summary>
public sealed class BinomialTailTests
{
    // Expected values: exact sums in rational arithmetic (Debian python3, no scipy), e.g.
    //   from math import comb, log; from fractions import Fraction
    //   def tail(k, n, p):
    //       p = Fraction(p); t = sum(comb(n, i) * p**i * (1 - p)**(n - i) for i in range(k, n + 1))
    //       return float(t), log(t.numerator) - log(t.denominator)
    //   tail(3, 10, '0.05')  ->  (0.011503557379296874, -4.4650989541177)
    [Theory]
    [InlineData(1, 10, 0.05, 0.4012630607616211)]
    [InlineData(3, 10, 0.05, 0.011503557379296874)]
    [InlineData(10, 10, 0.05, 9.765625e-14)]
    [InlineData(5, 20, 0.5, 0.9940910339355469)]
    [InlineData(15, 100, 0.05, 0.00013585423899229105)]
    [InlineData(40, 500, 0.05, 0.0027009571817048954)]
    [InlineData(25, 500, 0.05, 0.5286492546033786)]
    [InlineData(60, 200, 0.05, 5.2823892537399164e-30)]
    [InlineData(200, 1000, 0.05, 7.860594399784116e-63)]
    [InlineData(7, 7, 0.3, 0.0002187)]
    [InlineData(2, 50, 0.01, 0.0894353130960307)]
    public void MatchesExactTail(int k, int n, double p, double expected)
    {
        double actual = BinomialTail.UpperTail(k, n, p);

        Assert.Equal(expected, actual, RelativeTolerance(expected, 1e-11));
    }

    // Tails below double's range: only the logarithm is representable.
    //   tail(1000, 1000, '0.05')[1]  -> -2995.7322735539906
    //   tail(2000, 5000, '0.05')[1]  -> -2784.6679357992234
    //   tail(300, 1000, '0.05')[1]   -> -327.2230204992288
    //   n, k = 100000, 60000; p = 1/2, summed as integers:
    //   c, s = 1, 0
    //   for i in range(n + 1):
    //       s += c if i >= k else 0; c = c * (n - i) // (i + 1)
    //   log(s) - n * log(2)           -> -2018.4147883771366
    [Theory]
    [InlineData(1000, 1000, 0.05, -2995.7322735539906)]
    [InlineData(2000, 5000, 0.05, -2784.6679357992234)]
    [InlineData(300, 1000, 0.05, -327.2230204992288)]
    [InlineData(60000, 100000, 0.5, -2018.4147883771366)]
    [InlineData(3, 10, 0.05, -4.4650989541177)]
    public void LogTailMatchesExactLogarithmBeyondDoubleRange(int k, int n, double p, double expectedLog)
    {
        double actual = BinomialTail.LogUpperTail(k, n, p);

        Assert.Equal(expectedLog, actual, RelativeTolerance(expectedLog, 1e-11));
    }

    [Theory]
    [InlineData(0, 10, 0.05)]
    [InlineData(-3, 10, 0.05)]
    [InlineData(0, 0, 0.5)]
    [InlineData(4, 4, 1.0)]
    public void CertainEventsHaveProbabilityOne(int k, int n, double p)
    {
        Assert.Equal(1.0, BinomialTail.UpperTail(k, n, p));
    }

    [Theory]
    [InlineData(11, 10, 0.05)]
    [InlineData(1, 10, 0.0)]
    [InlineData(1, 0, 0.5)]
    public void ImpossibleEventsHaveProbabilityZero(int k, int n, double p)
    {
        Assert.Equal(0.0, BinomialTail.UpperTail(k, n, p));
        Assert.Equal(double.NegativeInfinity, BinomialTail.LogUpperTail(k, n, p));
    }

    [Fact]
    public void TailShrinksAsTheCountGrows()
    {
        double previous = 1.0;
        for (int k = 1; k <= 200; k++)
        {
            double tail = BinomialTail.LogUpperTail(k, 200, 0.05);
            Assert.True(tail < Math.Log(previous), $"ln P[X ≥ {k}] = {tail} should be below ln P[X ≥ {k - 1}].");
            previous = Math.Exp(tail);
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void RejectsProbabilitiesOutsideTheUnitInterval(double p)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTail.UpperTail(1, 10, p));
        Assert.Contains("between 0 and 1", error.Message);
    }

    [Fact]
    public void RejectsNegativeTrialCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTail.UpperTail(1, -1, 0.5));
    }

    private static double RelativeTolerance(double expected, double relative) => Math.Abs(expected) * relative;
}

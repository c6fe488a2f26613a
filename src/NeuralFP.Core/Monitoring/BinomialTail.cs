namespace NeuralFP.Core.Monitoring;

/// <summary>
/// Exact one-sided binomial test: P[X ≥ k] for X ~ Binomial(n, p). Summed in log space so that
/// tails far below double's smallest normal value (windows of thousands of records under a
/// strong shift) still come out as usable logarithms rather than 0.
/// </summary>
public static class BinomialTail
{
    /// <summary>Terms this far (in natural log) below the largest are beyond double precision of the sum.</summary>
    private const double NegligibleLogRatio = -40.0;

    /// <summary>P[X ≥ <paramref name="successes"/>] for X ~ Binomial(<paramref name="trials"/>, <paramref name="probability"/>).</summary>
    public static double UpperTail(int successes, int trials, double probability) =>
        Math.Exp(LogUpperTail(successes, trials, probability));

    /// <summary>ln P[X ≥ <paramref name="successes"/>]; −∞ when the probability is exactly 0.</summary>
    public static double LogUpperTail(int successes, int trials, double probability)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        if (double.IsNaN(probability) || probability < 0 || probability > 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(probability), probability, "The success probability must be a number between 0 and 1.");
        }

        if (successes <= 0)
        {
            return 0.0;
        }

        if (successes > trials || probability == 0.0)
        {
            return double.NegativeInfinity;
        }

        if (probability == 1.0)
        {
            return 0.0;
        }

        double logP = Math.Log(probability);
        double logQ = LogOnePlus(-probability);
        double logOdds = logP - logQ;

        // ln pmf(k), then each next term by the ratio pmf(i+1)/pmf(i) = (n−i)/(i+1) · p/q.
        double term = LogFactorial.Binomial(trials, successes) + successes * logP + (trials - successes) * logQ;
        double max = term;
        double scaledSum = 1.0; // Σ exp(term − max) over the terms seen so far
        for (int i = successes; i < trials; i++)
        {
            term += Math.Log((double)(trials - i) / (i + 1)) + logOdds;
            if (term > max)
            {
                scaledSum = scaledSum * Math.Exp(max - term) + 1.0;
                max = term;
            }
            else
            {
                scaledSum += Math.Exp(term - max);
                // Past the mode the terms only shrink (the pmf is unimodal), so the rest cannot matter.
                if (term - max < NegligibleLogRatio)
                {
                    break;
                }
            }
        }

        // A tail is a probability: clamp the rounding that can push ln(sum) a hair above 0.
        return Math.Min(0.0, max + Math.Log(scaledSum));
    }

    /// <summary>ln(1 + x), accurate for tiny x where 1 + x rounds (small calibrated FPRs).</summary>
    private static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        // ln(u)·x/(u − 1) cancels the rounding of u; exact when u rounds to 1.
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}

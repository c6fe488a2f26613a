namespace NeuralFP.Core.Verdicts;

/// <summary>
/// Finds the single per-layer tail level α at which the one-out rule's false-positive rate on the held-out records is
/// closest to a target. The rate only grows with α (every layer's interval shrinks), so bisection brackets the step.
/// </summary>
internal sealed class AlphaSearch(ErrorDistribution[] distributions, IReadOnlyList<float[]> heldOutErrors, bool twoSided)
{
    private const int Iterations = 64;

    private readonly bool[] _fired = new bool[heldOutErrors[0].Length];
    private readonly double[] _lower = new double[distributions.Length];
    private readonly double[] _upper = new double[distributions.Length];

    public double Find(double targetFpr, out double realisedFpr)
    {
        // Invariant: Fpr(lo) ≤ target < Fpr(hi). α = 0 puts every threshold at the extreme held-out errors: nothing fires.
        double lo = 0, hi = 1;
        double fprLo = Fpr(lo), fprHi = Fpr(hi);
        if (fprHi <= targetFpr)
        {
            // Degenerate errors (e.g. all equal) where even α = 1 fires too rarely: take the most that is available.
            realisedFpr = fprHi;
            return hi;
        }
        for (int i = 0; i < Iterations && hi - lo > 1e-15; i++)
        {
            double mid = 0.5 * (lo + hi);
            double fpr = Fpr(mid);
            if (fpr <= targetFpr) (lo, fprLo) = (mid, fpr);
            else (hi, fprHi) = (mid, fpr);
        }

        // Either side of the step; ties go to the side that keeps false positives at or below the target.
        if (fprHi - targetFpr < targetFpr - fprLo)
        {
            realisedFpr = fprHi;
            return hi;
        }
        realisedFpr = fprLo;
        return lo;
    }

    public void Thresholds(double alpha, out double[] lower, out double[] upper)
    {
        lower = new double[distributions.Length];
        upper = new double[distributions.Length];
        Fill(alpha, lower, upper);
    }

    private void Fill(double alpha, double[] lower, double[] upper)
    {
        for (int l = 0; l < distributions.Length; l++)
        {
            var d = distributions[l];
            if (twoSided)
            {
                lower[l] = d.Quantile(alpha / 2);
                upper[l] = d.Quantile(1 - alpha / 2);
            }
            else
            {
                // Reconstruction errors are ≥ 0, so 0 is "no lower bound" and reads better than −1.8e308 in a verdict.
                lower[l] = d.Min >= 0 ? 0 : double.MinValue;
                upper[l] = d.Quantile(1 - alpha);
            }
        }
    }

    private double Fpr(double alpha)
    {
        Fill(alpha, _lower, _upper);
        Array.Clear(_fired);
        for (int l = 0; l < distributions.Length; l++)
        {
            double lower = _lower[l], upper = _upper[l];
            float[] errors = heldOutErrors[l];
            for (int r = 0; r < errors.Length; r++)
            {
                float e = errors[r];
                _fired[r] |= e < lower || e > upper;
            }
        }
        int count = 0;
        foreach (bool f in _fired) count += f ? 1 : 0;
        return (double)count / _fired.Length;
    }
}

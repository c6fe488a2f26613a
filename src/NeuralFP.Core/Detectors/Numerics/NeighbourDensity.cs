namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>
/// A non-parametric density over whitened rows of statistics: the squared distance from a row to its k-th nearest
/// stored row (the k-NN density estimate is ∝ k / (n · r_k^d), so a larger k-th distance is a lower density). Rows are
/// whitened by a covariance first (the pooled within-class one when classes are given, else the total one), so that no
/// statistic's units or correlations dominate the distance. With classes, a row is compared with the stored rows of its
/// own class only (a class with fewer than k stored rows, or an unseen class: with all of them).
/// </summary>
internal static class NeighbourDensity
{
    /// <summary>k: chosen on the model panel's validation sets (README, "Detection on a model panel", item 12): 5 among 5, 10, 20 and 50,
    /// then 3 when the final three-seed run added it (validation minimum 0.876 against 0.873).</summary>
    public const int DefaultNeighbours = 3;

    /// <summary>Stored rows at most (an evenly strided subset of the fitted rows beyond it).</summary>
    public const int MaxBank = 5000;

    /// <param name="Mean">The overall mean the rows are centred on before whitening.</param>
    /// <param name="InverseCholesky">The whitening L⁻¹ (lower-triangular, row-major).</param>
    /// <param name="Bank">Row-major [m, k] whitened stored rows.</param>
    /// <param name="BankClasses">Per stored row its class (null without classes).</param>
    public sealed record Result(double[] Mean, double[] InverseCholesky, float[] Bank, int[]? BankClasses);

    /// <param name="rows">Row-major [n, k] values (not changed).</param>
    /// <param name="classes">Per row its class (≥ 0), or null for one density over all rows.</param>
    public static Result Fit(ReadOnlySpan<double> rows, int n, int k, int[]? classes)
    {
        var (mean, inverse) = classes is null ? GaussianFit.Fit(rows, n, k, diagonal: false) : Within(rows, n, k, classes);
        var stride = Stride(n);
        var m = (n + stride - 1) / stride;
        var bank = new float[m * k];
        var bankClasses = classes is null ? null : new int[m];
        var z = new double[k];
        for (int r = 0, b = 0; r < n; r += stride, b++)
        {
            Whiten(rows.Slice(r * k, k), mean, inverse, z);
            for (var i = 0; i < k; i++) bank[b * k + i] = (float)z[i];
            if (bankClasses is not null) bankClasses[b] = classes![r];
        }
        return new Result(mean, inverse, bank, bankClasses);
    }

    private static int Stride(int n) => (n + MaxBank - 1) / MaxBank;

    /// <summary>The stored row of fitted row <paramref name="row"/> of <paramref name="n"/>, or −1 when it was not stored.</summary>
    public static int BankRow(int row, int n) => row % Stride(n) == 0 ? row / Stride(n) : -1;

    private static (double[] Mean, double[] Inverse) Within(ReadOnlySpan<double> rows, int n, int k, int[] classes)
    {
        var (overall, _, inverse) = GaussianFit.FitPerClass(rows, n, k, classes);
        return (overall, inverse);
    }

    /// <summary>z = L⁻¹ (x − μ).</summary>
    public static void Whiten(ReadOnlySpan<double> row, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseCholesky, Span<double> z)
    {
        var k = row.Length;
        for (var i = 0; i < k; i++)
        {
            double v = 0;
            for (var j = 0; j <= i; j++) v += inverseCholesky[i * k + j] * (row[j] - mean[j]);
            z[i] = v;
        }
    }

    /// <summary>Per class, the indices of its stored rows (classes 0..max).</summary>
    public static int[][] IndexByClass(int[] bankClasses)
    {
        var count = bankClasses.Length == 0 ? 0 : bankClasses.Max() + 1;
        return [.. Enumerable.Range(0, count).Select(c => Enumerable.Range(0, bankClasses.Length).Where(b => bankClasses[b] == c).ToArray())];
    }

    /// <summary>
    /// The squared distance from whitened <paramref name="z"/> to its <paramref name="neighbours"/>-th nearest stored row
    /// among <paramref name="members"/> (null: all stored rows), leaving out stored row <paramref name="exclude"/> (−1: none;
    /// a stored row's own leave-one-out score). Fewer stored rows than k: the farthest.
    /// </summary>
    public static double KthDistance(ReadOnlySpan<double> z, float[] bank, int[]? members, int neighbours, int exclude = -1)
    {
        var k = z.Length;
        var m = members?.Length ?? bank.Length / k;
        var kth = Math.Max(1, Math.Min(neighbours, exclude >= 0 ? m - 1 : m));
        // The stored rows are floats: compare in float with the vectorised kernel the k-NN detector uses (a scalar loop in
        // double with an early exit per statistic halved the scoring path's throughput).
        Span<float> query = k <= 256 ? stackalloc float[k] : new float[k];
        for (var i = 0; i < k; i++) query[i] = (float)z[i];
        // The kth smallest squared distances so far, ascending.
        Span<double> nearest = kth <= 64 ? stackalloc double[kth] : new double[kth];
        nearest.Fill(double.PositiveInfinity);
        for (var t = 0; t < m; t++)
        {
            var index = members?[t] ?? t;
            if (index == exclude) continue;
            double d = SquaredDistance.Compute(query, bank.AsSpan(index * k, k));
            if (d >= nearest[kth - 1]) continue;
            var at = kth - 1;
            while (at > 0 && nearest[at - 1] > d)
            {
                nearest[at] = nearest[at - 1];
                at--;
            }
            nearest[at] = d;
        }
        return nearest[kth - 1];
    }
}

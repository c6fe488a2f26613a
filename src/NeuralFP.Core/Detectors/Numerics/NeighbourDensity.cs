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
    /// <summary>k: chosen on the model panel's validation sets (README, "Detection on a model panel", items 12 and 19): 5 among 5, 10, 20
    /// and 50, then 3 when the final three-seed run added it (validation minimum 0.876 against 0.873), then 2 among 1, 2, 3, 5 and
    /// 10 once the errors were folded at their median (0.828 against 0.827).</summary>
    public const int DefaultNeighbours = 2;

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
}

namespace NeuralFP.Core.Monitoring;

/// <summary>ln(n!) to double precision for any n: an exact table for small n, Stirling's series above.</summary>
internal static class LogFactorial
{
    private const int TableSize = 256;

    private static readonly double[] Table = BuildTable();

    public static double Of(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n < TableSize)
        {
            return Table[n];
        }

        // ln n! = n ln n − n + ½ ln(2πn) + 1/(12n) − 1/(360n³) + 1/(1260n⁵) − …; for n ≥ 256 the
        // next term, 1/(1680n⁷), is below 1e-20, far under a double's resolution of ln n!.
        double x = n;
        double inv = 1.0 / x;
        double inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260)));
        return x * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI * x) + series;
    }

    /// <summary>ln C(n, k).</summary>
    public static double Binomial(int n, int k) => Of(n) - Of(k) - Of(n - k);

    private static double[] BuildTable()
    {
        var table = new double[TableSize];
        for (int i = 2; i < TableSize; i++)
        {
            table[i] = table[i - 1] + Math.Log(i);
        }

        return table;
    }
}

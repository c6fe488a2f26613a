namespace NeuralFP.Core.Numerics;

/// <summary>Per-column mean and population variance of a row-major float matrix, accumulated in double (two passes).</summary>
internal static class ColumnMoments
{
    public static (double[] Mean, double[] Variance) Compute(ReadOnlySpan<float> values, int rows, int columns)
    {
        var mean = new double[columns];
        var variance = new double[columns];
        if (rows == 0) return (mean, variance);
        for (int r = 0; r < rows; r++) VectorMath.AccumulateWidened(values.Slice(r * columns, columns), mean);
        for (int j = 0; j < columns; j++) mean[j] /= rows;
        for (int r = 0; r < rows; r++) VectorMath.AccumulateSquaredDeviations(values.Slice(r * columns, columns), mean, variance);
        for (int j = 0; j < columns; j++) variance[j] /= rows;
        return (mean, variance);
    }
}

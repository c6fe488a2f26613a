namespace NeuralFP.Core.Numerics;

/// <summary>Fixes the arbitrary sign of eigenvectors: the component of largest magnitude (first on ties) is positive.</summary>
internal static class SignConvention
{
    /// <summary>Applies the convention to each of the <paramref name="columns"/> columns of a rows×columns row-major matrix.</summary>
    public static void ApplyToColumns(Span<double> matrix, int rows, int columns)
    {
        for (int j = 0; j < columns; j++)
        {
            int best = 0;
            double bestAbs = -1;
            for (int i = 0; i < rows; i++)
            {
                double x = Math.Abs(matrix[i * columns + j]);
                if (x > bestAbs)
                {
                    bestAbs = x;
                    best = i;
                }
            }
            if (matrix[best * columns + j] < 0)
                for (int i = 0; i < rows; i++) matrix[i * columns + j] = -matrix[i * columns + j];
        }
    }
}

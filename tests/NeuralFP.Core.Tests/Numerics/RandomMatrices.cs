namespace NeuralFP.Core.Tests.Numerics;

/// <summary>Seeded test matrices.</summary>
internal static class RandomMatrices
{
    public static float[] Uniform(int length, int seed, float range = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * range);
        return values;
    }

    /// <summary>Element (i, j) of a row-major matrix, or of its transpose when <paramref name="transposed"/>.</summary>
    public static float At(float[] matrix, int rows, int columns, int i, int j, bool transposed)
        => transposed ? matrix[j * rows + i] : matrix[i * columns + j];
}

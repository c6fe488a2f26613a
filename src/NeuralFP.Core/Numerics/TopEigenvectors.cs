using System.Numerics.Tensors;

namespace NeuralFP.Core.Numerics;

/// <summary>
/// The k leading eigenpairs of a symmetric positive semi-definite matrix. Small matrices go straight to Jacobi; large
/// ones use seeded block subspace iteration with Rayleigh–Ritz, whose cost is dominated by float GEMMs.
/// </summary>
internal static class TopEigenvectors
{
    /// <summary>Up to this size the full Jacobi decomposition is cheaper than iterating.</summary>
    private const int DirectLimit = 160;

    private const int MaxIterations = 500;

    /// <summary>Ritz values are checked every this many iterations (each check costs an extra L×D×L product and a Jacobi).</summary>
    private const int CheckEvery = 2;

    /// <summary>Converged when no leading Ritz value moves by more than this fraction of the largest between checks.</summary>
    private const double RelativeTolerance = 1e-6;

    /// <summary>
    /// Returns the k largest eigenvalues (descending) and their unit eigenvectors as the columns of a d×k row-major
    /// matrix, signed so that each vector's largest-magnitude component is positive.
    /// </summary>
    public static (double[] Values, double[] Vectors) Compute(float[] matrix, int d, int k, int seed, CancellationToken cancellationToken = default)
    {
        if (matrix.Length != d * d) throw new ArgumentException($"Expected {d}×{d} values, got {matrix.Length}.", nameof(matrix));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, d);

        int l = Math.Min(d, k + Math.Max(k, 10)); // oversampling speeds convergence of the k-th pair
        if (d <= DirectLimit || l * 2 >= d)
            return Leading(SymmetricEigen.Decompose(Array.ConvertAll(matrix, x => (double)x), d), d, d, k);

        var gaussian = new Gaussian(new Random(seed));
        var basis = new double[l * d]; // rows are the basis vectors (Qᵀ, row-major)
        gaussian.Fill(basis);
        Orthonormalise(basis, l, d, gaussian);
        var basisF = new float[l * d];
        var image = new float[l * d];  // (C·Q)ᵀ = Qᵀ·C since C is symmetric
        var projected = new float[l * l];
        var projectedD = new double[l * l];
        var rotation = new float[l * l];
        var rotated = new float[l * d];
        double[]? previous = null;

        for (int iteration = 1; ; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Convert(basis, basisF);
            Gemm.Multiply(basisF, matrix, image, l, d, d);

            if (iteration % CheckEvery == 0 || iteration == MaxIterations)
            {
                Gemm.MultiplyTransposedB(basisF, image, projected, l, d, l);
                for (int i = 0; i < l; i++)
                    for (int j = 0; j < l; j++)
                        projectedD[i * l + j] = 0.5 * ((double)projected[i * l + j] + projected[j * l + i]);
                var (ritzValues, ritzVectors) = SymmetricEigen.Decompose(projectedD, l);
                if (iteration == MaxIterations || Converged(ritzValues, previous, k))
                    return (ritzValues[..k], RitzVectors(basis, ritzVectors, l, d, k));
                previous = ritzValues;

                // Continue from the Ritz vectors (C·Q·S = image rotated by S): the leading directions are then
                // orthonormalised first, and the next projected matrix is nearly diagonal, so Jacobi needs few sweeps.
                for (int i = 0; i < ritzVectors.Length; i++) rotation[i] = (float)ritzVectors[i];
                Gemm.MultiplyTransposedA(rotation, image, rotated, l, l, d);
                (image, rotated) = (rotated, image);
            }

            for (int i = 0; i < basis.Length; i++) basis[i] = image[i];
            Orthonormalise(basis, l, d, gaussian);
        }
    }

    private static bool Converged(double[] current, double[]? previous, int k)
    {
        if (previous is null) return false;
        double scale = Math.Max(Math.Abs(current[0]), double.Epsilon);
        for (int i = 0; i < k; i++)
            if (Math.Abs(current[i] - previous[i]) > RelativeTolerance * scale) return false;
        return true;
    }

    /// <summary>U = Q·S[:, :k], normalised and sign-fixed, as a d×k row-major matrix.</summary>
    private static double[] RitzVectors(double[] basis, double[] ritzVectors, int l, int d, int k)
    {
        var columns = new double[k * d];
        for (int j = 0; j < k; j++)
        {
            var u = columns.AsSpan(j * d, d);
            for (int i = 0; i < l; i++)
                VectorMath.AddScaled(u, basis.AsSpan(i * d, d), ritzVectors[i * l + j]);
            double norm = Math.Sqrt(VectorMath.Dot(u, u));
            if (norm > 0) TensorPrimitives.Divide(u, norm, u);
        }
        var vectors = new double[d * k];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < d; i++) vectors[i * k + j] = columns[j * d + i];
        SignConvention.ApplyToColumns(vectors, d, k);
        return vectors;
    }

    private static (double[] Values, double[] Vectors) Leading((double[] Values, double[] Vectors) full, int rows, int n, int k)
    {
        var vectors = new double[rows * k];
        for (int i = 0; i < rows; i++)
            full.Vectors.AsSpan(i * n, k).CopyTo(vectors.AsSpan(i * k, k));
        return (full.Values[..k], vectors);
    }

    /// <summary>
    /// Modified Gram–Schmidt, twice ("twice is enough" for orthogonality in floating point). A row that vanishes
    /// (the matrix has lower rank than the block) is replaced by a fresh seeded random direction.
    /// </summary>
    private static void Orthonormalise(double[] rows, int count, int length, Gaussian gaussian)
    {
        for (int j = 0; j < count; j++)
        {
            var v = rows.AsSpan(j * length, length);
            double original = Math.Sqrt(VectorMath.Dot(v, v));
            double norm = ProjectOut(rows, j, v, length);
            for (int attempt = 0; !(norm > 1e-10 * original) || norm == 0; attempt++)
            {
                if (attempt == 10) throw new InvalidOperationException("Could not complete an orthonormal basis; the matrix is degenerate.");
                gaussian.Fill(v);
                original = Math.Sqrt(VectorMath.Dot(v, v));
                norm = ProjectOut(rows, j, v, length);
            }
            TensorPrimitives.Divide(v, norm, v);
        }
    }

    /// <summary>Removes from v its components along rows 0..j−1, twice; returns the norm of what is left.</summary>
    private static double ProjectOut(double[] rows, int j, Span<double> v, int length)
    {
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < j; i++)
            {
                var q = rows.AsSpan(i * length, length);
                VectorMath.AddScaled(v, q, -VectorMath.Dot(q, v));
            }
        return Math.Sqrt(VectorMath.Dot(v, v));
    }

    private static void Convert(double[] source, float[] destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = (float)source[i];
    }
}

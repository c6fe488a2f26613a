using System.Diagnostics;
using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// PCA as a linear autoencoder: encoder W = the k leading eigenvectors of the training covariance (D×k), decoder Wᵀ,
/// both Identity dense layers with biases that centre and un-centre, so ẑ = μ + (z − μ)·W·Wᵀ.
/// </summary>
/// <remarks>
/// With fewer records than features (n &lt; D: a small reference under the automatic kind, at a wide layer) the
/// eigenvectors come from the n×n Gram matrix instead: C = XᵀX/(n−1) and G = XXᵀ/(n−1) share their non-zero eigenvalues,
/// and v = Xᵀu/√((n−1)λ). Cost and memory then follow n² and n·D, never D². Directions beyond the data's rank (λ ≈ 0)
/// are left as zero columns: the training records say nothing about them.
/// </remarks>
internal static class PcaFitter
{
    public static Autoencoder Fit(FloatTensor train, FloatTensor validation, AutoencoderOptions options, AutoencoderArchitecture architecture, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int n = train.Records, d = architecture.Width, k = architecture.Bottleneck;
        var (mean, _) = ColumnMoments.Compute(train.Data, n, d);

        var centred = new float[n * d];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++) centred[r * d + j] = (float)(train.Data[r * d + j] - mean[j]);
        cancellationToken.ThrowIfCancellationRequested();
        var vectors = n < d ? FromGram(centred, n, d, k, options.Seed, cancellationToken) : FromCovariance(centred, n, d, k, options.Seed, cancellationToken);

        var encoderWeights = new float[d * k];
        var decoderWeights = new float[k * d];
        var encoderBias = new float[k];
        var decoderBias = new float[d];
        for (int i = 0; i < d; i++)
        {
            decoderBias[i] = (float)mean[i];
            for (int j = 0; j < k; j++)
            {
                float w = (float)vectors[i * k + j];
                encoderWeights[i * k + j] = w;
                decoderWeights[j * d + i] = w;
            }
        }
        for (int j = 0; j < k; j++)
        {
            double projection = 0;
            for (int i = 0; i < d; i++) projection += mean[i] * vectors[i * k + j];
            encoderBias[j] = (float)-projection;
        }

        DenseLayer[] layers =
        [
            new(d, k, encoderWeights, encoderBias, Activation.Identity),
            new(k, d, decoderWeights, decoderBias, Activation.Identity),
        ];
        bool selfValidate = validation.Records == 0;
        var check = selfValidate ? train : validation;
        double error = ReconstructionErrors.Mean(layers, check.Data, check.Records, new float[check.Records]);
        var summary = new TrainingSummary(AutoencoderKind.Pca, architecture, n, validation.Records, 0, 0, error, false, [], selfValidate, clock.Elapsed);
        return new Autoencoder(layers, summary);
    }

    /// <summary>The k leading eigenvectors of XᵀX/(n−1), D×k row-major.</summary>
    private static double[] FromCovariance(float[] centred, int n, int d, int k, int seed, CancellationToken cancellationToken)
    {
        var covariance = new float[d * d];
        Gemm.MultiplyTransposedA(centred, centred, covariance, d, n, d);
        float norm = 1f / Math.Max(1, n - 1);
        for (int i = 0; i < covariance.Length; i++) covariance[i] *= norm;
        cancellationToken.ThrowIfCancellationRequested();
        return TopEigenvectors.Compute(covariance, d, k, seed, cancellationToken).Vectors;
    }

    /// <summary>The same vectors through the n×n Gram matrix (n &lt; D), signed as <see cref="TopEigenvectors"/> signs them.</summary>
    private static double[] FromGram(float[] centred, int n, int d, int k, int seed, CancellationToken cancellationToken)
    {
        var gram = new float[n * n];
        Gemm.MultiplyTransposedB(centred, centred, gram, n, d, n);
        float norm = 1f / Math.Max(1, n - 1);
        for (int i = 0; i < gram.Length; i++) gram[i] *= norm;
        cancellationToken.ThrowIfCancellationRequested();
        // Centred records span at most n − 1 directions; the n-th eigenvalue is float rounding around zero.
        int found = Math.Max(1, Math.Min(k, n - 1));
        var (values, u) = TopEigenvectors.Compute(gram, n, found, seed, cancellationToken);
        var uf = Array.ConvertAll(u, x => (float)x);
        var image = new float[d * found];
        Gemm.MultiplyTransposedA(centred, uf, image, d, n, found); // Xᵀu, D×found
        var vectors = new double[d * k];
        // Below this share of the leading eigenvalue a float Gram matrix gives rounding, not a direction.
        double floor = 1e-6 * Math.Max(values[0], double.Epsilon);
        for (int j = 0; j < found; j++)
        {
            if (!(values[j] > floor)) continue; // beyond the data's rank
            double scale = 1 / Math.Sqrt(Math.Max(1, n - 1) * values[j]);
            int largest = 0;
            for (int i = 0; i < d; i++)
            {
                vectors[i * k + j] = image[i * found + j] * scale;
                if (Math.Abs(vectors[i * k + j]) > Math.Abs(vectors[largest * k + j])) largest = i;
            }
            if (vectors[largest * k + j] < 0)
                for (int i = 0; i < d; i++) vectors[i * k + j] = -vectors[i * k + j];
        }
        return vectors;
    }
}

using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// The autoencoder's second statistic: the squared Mahalanobis distance of a record's latent code (the bottleneck)
/// from the latent codes of the records the autoencoder trained on. A record the autoencoder reconstructs well can
/// still sit in an empty part of the latent space (digits through a clothes model); this measures that.
/// d(h) = ‖(h − μ)·W‖² with W = L⁻ᵀ, Σ = L·Lᵀ, so the scorer graph computes it with Sub, MatMul, Mul and a summing MatMul.
/// </summary>
/// <param name="Mean">μ, one value per latent unit.</param>
/// <param name="Whitening">W, [latent, latent] row-major (upper triangular).</param>
public sealed record LatentDistance(float[] Mean, float[] Whitening)
{
    // Shrinkage towards the diagonal: a bottleneck may hold (nearly) collinear units.
    private const double Shrinkage = 0.05;

    public int Width => Mean.Length;

    /// <summary>Index of the autoencoder's bottleneck layer (the symmetric stack's middle): its output is the latent code.</summary>
    public static int BottleneckIndex(IReadOnlyList<DenseLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count < 2 || layers.Count % 2 != 0)
            throw new ArgumentException($"An autoencoder with a latent code has an even number of dense layers (encoder + decoder); got {layers.Count}.", nameof(layers));
        return layers.Count / 2 - 1;
    }

    /// <summary>The latent codes of standardised records: the encoder half of <paramref name="layers"/>.</summary>
    public static FloatTensor Encode(IReadOnlyList<DenseLayer> layers, FloatTensor standardized)
    {
        ArgumentNullException.ThrowIfNull(standardized);
        var last = BottleneckIndex(layers);
        var rows = standardized.Records;
        var current = standardized.Data.AsSpan(0, rows * standardized.RecordLength).ToArray();
        for (var l = 0; l <= last; l++)
        {
            var output = new float[rows * layers[l].Outputs];
            DenseForward.Apply(layers[l], current, output, rows);
            current = output;
        }
        return new FloatTensor(current, [rows, layers[last].Outputs]);
    }

    /// <summary>Fits μ and W on the latent codes of the autoencoder's training records.</summary>
    /// <exception cref="ArgumentException">Fewer than two records.</exception>
    public static LatentDistance Fit(FloatTensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        int n = latents.Records, k = latents.RecordLength;
        if (n < 2) throw new ArgumentException("A latent distance needs at least two records.", nameof(latents));
        var mean = new double[k];
        for (var r = 0; r < n; r++)
        {
            var row = latents.Record(r);
            for (var i = 0; i < k; i++) mean[i] += row[i];
        }
        for (var i = 0; i < k; i++) mean[i] /= n;
        var cov = new double[k * k];
        var centred = new double[k];
        for (var r = 0; r < n; r++)
        {
            var row = latents.Record(r);
            for (var i = 0; i < k; i++) centred[i] = row[i] - mean[i];
            for (var i = 0; i < k; i++)
            {
                var a = centred[i];
                for (var j = 0; j <= i; j++) cov[i * k + j] += a * centred[j];
            }
        }
        double trace = 0;
        for (var i = 0; i < k; i++) trace += cov[i * k + i] / (n - 1);
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                var v = cov[i * k + j] / (n - 1);
                v = i == j ? v + Shrinkage * trace / k + 1e-12 : (1 - Shrinkage) * v;
                cov[i * k + j] = v;
                cov[j * k + i] = v;
            }
        var lower = Cholesky.Factor(cov, k) ?? throw new InvalidOperationException("The latent covariance is not positive definite.");
        var inverse = Cholesky.InvertLower(lower, k);
        // W = (L⁻¹)ᵀ: row-vector form, so (h − μ)·W = (L⁻¹(h − μ))ᵀ.
        var whitening = new float[k * k];
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++) whitening[i * k + j] = (float)inverse[j * k + i];
        return new LatentDistance(mean.Select(m => (float)m).ToArray(), whitening);
    }

    /// <summary>Squared distance of each latent code ([N, Width]) into <paramref name="destination"/>.</summary>
    public void Distances(FloatTensor latents, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(latents);
        int k = Width;
        if (latents.RecordLength != k) throw new ArgumentException($"Latent codes have {latents.RecordLength} units; this distance takes {k}.", nameof(latents));
        if (destination.Length < latents.Records) throw new ArgumentException($"Destination holds {destination.Length} values; {latents.Records} are needed.", nameof(destination));
        Span<double> centred = k <= 256 ? stackalloc double[k] : new double[k];
        for (var r = 0; r < latents.Records; r++)
        {
            var row = latents.Record(r);
            for (var i = 0; i < k; i++) centred[i] = row[i] - Mean[i];
            double sum = 0;
            for (var j = 0; j < k; j++)
            {
                double z = 0;
                for (var i = 0; i <= j; i++) z += centred[i] * Whitening[i * k + j];
                sum += z * z;
            }
            destination[r] = (float)sum;
        }
    }

    public float[] Distances(FloatTensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        var result = new float[latents.Records];
        Distances(latents, result);
        return result;
    }
}

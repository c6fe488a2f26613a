using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// The autoencoder's second statistic: the squared Mahalanobis distance of a record's latent code (the bottleneck)
/// from the latent codes of the records the autoencoder trained on. A record the autoencoder reconstructs well can
/// still sit in an empty part of the latent space (digits through a clothes model); this measures that.
/// d(h) = min_c ‖(h − μ_c)·W‖² with W = L⁻ᵀ, Σ = L·Lᵀ: one mean per predicted class of the model and their shared
/// within-class covariance (as Lee et al.'s Mahalanobis detector, here on each layer's latent code), or one mean overall.
/// The scorer graph computes it with MatMuls, Adds and a MaxPool for the minimum.
/// </summary>
/// <param name="Means">μ_c, [classes, latent] row-major (one row when not per class).</param>
/// <param name="Whitening">W, [latent, latent] row-major (upper triangular).</param>
public sealed record LatentDistance(float[] Means, float[] Whitening)
{
    // Shrinkage towards the diagonal: a bottleneck may hold (nearly) collinear units.
    private const double Shrinkage = 0.05;

    /// <summary>A class needs this many training records for a mean of its own; rarer classes are left out.</summary>
    public const int MinClassRecords = 20;

    public int Width => (int)Math.Round(Math.Sqrt(Whitening.Length));

    public int Classes => Means.Length / Width;

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

    /// <summary>
    /// Fits the means and W on the latent codes of the autoencoder's training records; with <paramref name="classes"/>
    /// (each record's predicted class), one mean per class of at least <see cref="MinClassRecords"/> records and the
    /// pooled within-class covariance, else (or with fewer than two such classes) one mean and the covariance.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two records, or labels that do not match the records.</exception>
    public static LatentDistance Fit(FloatTensor latents, IReadOnlyList<int>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(latents);
        int n = latents.Records, k = latents.RecordLength;
        if (n < 2) throw new ArgumentException("A latent distance needs at least two records.", nameof(latents));
        if (classes is not null && classes.Count != n) throw new ArgumentException($"Give one class per record ({n}); got {classes.Count}.", nameof(classes));
        var groups = classes is null ? [] : Enumerable.Range(0, n).GroupBy(r => classes[r]).Where(g => g.Count() >= MinClassRecords).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        if (groups.Length < 2) groups = [Enumerable.Range(0, n).ToArray()];
        var means = new double[groups.Length * k];
        var used = 0;
        for (var c = 0; c < groups.Length; c++)
        {
            foreach (var r in groups[c])
            {
                var row = latents.Record(r);
                for (var i = 0; i < k; i++) means[c * k + i] += row[i];
            }
            for (var i = 0; i < k; i++) means[c * k + i] /= groups[c].Length;
            used += groups[c].Length;
        }
        var cov = new double[k * k];
        var centred = new double[k];
        for (var c = 0; c < groups.Length; c++)
            foreach (var r in groups[c])
            {
                var row = latents.Record(r);
                for (var i = 0; i < k; i++) centred[i] = row[i] - means[c * k + i];
                for (var i = 0; i < k; i++)
                {
                    var a = centred[i];
                    for (var j = 0; j <= i; j++) cov[i * k + j] += a * centred[j];
                }
            }
        var dof = Math.Max(1, used - groups.Length);
        double trace = 0;
        for (var i = 0; i < k; i++) trace += cov[i * k + i] / dof;
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                var v = cov[i * k + j] / dof;
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
        return new LatentDistance(means.Select(m => (float)m).ToArray(), whitening);
    }

    /// <summary>
    /// The distance to the nearest of <paramref name="count"/> training codes (a seeded uniform sample, all of them when
    /// there are fewer), whitened by the codes' overall covariance: a k-NN (k = 1) in the latent space, which keeps every
    /// mode of the training distribution where one mean (or one per class) keeps their centre. Stored as a distance with
    /// one "mean" per sampled code, so the scorer graph, the manifest and <see cref="Distances(FloatTensor, Span{float})"/>
    /// read it as they read the per-class form.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two records or a count below two.</exception>
    public static LatentDistance FitNeighbours(FloatTensor latents, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(latents);
        if (count < 2) throw new ArgumentException($"A nearest-code distance needs at least two reference codes; got {count}.", nameof(count));
        var overall = Fit(latents);
        int n = latents.Records, k = latents.RecordLength;
        var picked = Enumerable.Range(0, n).ToArray();
        if (n > count)
        {
            // Partial Fisher-Yates: the first count entries are a seeded uniform sample without replacement.
            var rng = new Random(seed);
            for (var i = 0; i < count; i++)
            {
                var j = rng.Next(i, n);
                (picked[i], picked[j]) = (picked[j], picked[i]);
            }
            picked = [.. picked.AsSpan(0, count).ToArray().Order()];
        }
        var codes = new float[picked.Length * k];
        for (var c = 0; c < picked.Length; c++) latents.Record(picked[c]).CopyTo(codes.AsSpan(c * k, k));
        return new LatentDistance(codes, overall.Whitening);
    }

    /// <summary>The mean of the class means: the graph centres codes on it before whitening, so that its expanded form
    /// ‖hW‖² − 2·hW·m_c + ‖m_c‖² (with m_c = (μ_c − μ̄)·W) stays accurate in float.</summary>
    public float[] Centre()
    {
        int k = Width, classes = Classes;
        var centre = new float[k];
        for (var i = 0; i < k; i++)
        {
            double sum = 0;
            for (var c = 0; c < classes; c++) sum += Means[c * k + i];
            centre[i] = (float)(sum / classes);
        }
        return centre;
    }

    /// <summary>m_c = (μ_c − μ̄)·W per class, [classes, latent] row-major, and ‖m_c‖² per class (see <see cref="Centre"/>).</summary>
    public (float[] WhitenedMeans, float[] SquaredNorms) Expanded()
    {
        int k = Width, classes = Classes;
        var centre = Centre();
        var whitened = new float[classes * k];
        var norms = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            double norm = 0;
            for (var j = 0; j < k; j++)
            {
                double z = 0;
                for (var i = 0; i <= j; i++) z += (Means[c * k + i] - (double)centre[i]) * Whitening[i * k + j];
                whitened[c * k + j] = (float)z;
                norm += z * z;
            }
            norms[c] = (float)norm;
        }
        return (whitened, norms);
    }

    /// <summary>Squared distance of each latent code ([N, Width]) into <paramref name="destination"/>.</summary>
    public void Distances(FloatTensor latents, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(latents);
        int k = Width, classes = Classes;
        if (latents.RecordLength != k) throw new ArgumentException($"Latent codes have {latents.RecordLength} units; this distance takes {k}.", nameof(latents));
        if (destination.Length < latents.Records) throw new ArgumentException($"Destination holds {destination.Length} values; {latents.Records} are needed.", nameof(destination));
        // ‖(h − μ_c)·W‖² = ‖u − m_c‖² with u = (h − μ̄)·W and m_c = (μ_c − μ̄)·W: one whitening per record, not per class.
        var (centre, whitenedMeans) = WhitenedMeans();
        Span<double> centred = k <= 256 ? stackalloc double[k] : new double[k];
        Span<double> u = k <= 256 ? stackalloc double[k] : new double[k];
        for (var r = 0; r < latents.Records; r++)
        {
            var row = latents.Record(r);
            for (var i = 0; i < k; i++) centred[i] = row[i] - centre[i];
            Whiten(centred, u);
            var best = double.PositiveInfinity;
            for (var c = 0; c < classes; c++)
            {
                var mean = whitenedMeans.AsSpan(c * k, k);
                double sum = 0;
                for (var j = 0; j < k; j++)
                {
                    var z = u[j] - mean[j];
                    sum += z * z;
                }
                best = Math.Min(best, sum);
            }
            destination[r] = (float)best;
        }
    }

    // A reference is assigned atomically, so threads that race here compute the same values and either is kept.
    private Tuple<double[], double[]>? _whitened;

    /// <summary>μ̄ and (μ_c − μ̄)·W in double, computed once.</summary>
    private (double[] Centre, double[] WhitenedMeans) WhitenedMeans()
    {
        if (_whitened is { } cached) return (cached.Item1, cached.Item2);
        int k = Width, classes = Classes;
        var centre = new double[k];
        for (var i = 0; i < k; i++)
        {
            for (var c = 0; c < classes; c++) centre[i] += Means[c * k + i];
            centre[i] /= classes;
        }
        var whitened = new double[classes * k];
        var centred = new double[k];
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < k; i++) centred[i] = Means[c * k + i] - centre[i];
            Whiten(centred, whitened.AsSpan(c * k, k));
        }
        _whitened = Tuple.Create(centre, whitened);
        return (centre, whitened);
    }

    /// <summary>z = x·W for the upper-triangular W.</summary>
    private void Whiten(ReadOnlySpan<double> x, Span<double> z)
    {
        int k = Width;
        for (var j = 0; j < k; j++)
        {
            double sum = 0;
            for (var i = 0; i <= j; i++) sum += x[i] * Whitening[i * k + j];
            z[j] = sum;
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

using System.Numerics.Tensors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Per-feature weights of a layer's reconstruction error (<c>FingerprintOptions.ErrorWeightFloor</c>): feature j's squared
/// error is weighed by w_j = m / max(m_j, floor·m), where m_j is its mean squared error on the training records and m
/// the mean of those, so a feature the autoencoder reconstructs closely (a table's linear relation between columns)
/// counts for more than one it never reconstructs (a pure-noise column). The weights are folded into the
/// standardisation (scale_j / √w_j) and the autoencoder's first (rows ÷ √w_j) and last (columns × √w_j) products: the
/// plain error of the folded pair is the weighted error of the original, the latent code is unchanged, and every path
/// that computes the error (the build in C#, the fused scorer graph) does the same work as without weights.
/// </summary>
internal static class ErrorWeighting
{
    /// <summary>
    /// √w per feature for an autoencoder fitted on <paramref name="standardized"/> (its training records), and the weighted
    /// error's mean over those records, mean_j w_j·m_j, which the same pass gives (no second pass to report it).
    /// </summary>
    public static (float[] Root, double WeightedError) RootWeights(Autoencoder autoencoder, FloatTensor standardized, double floor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(floor);
        var means = ReconstructionErrors.FeatureMeans(autoencoder.Layers, standardized.Data, standardized.Records);
        double overall = means.Average();
        var root = new float[means.Length];
        if (!(overall > 0))
        {
            Array.Fill(root, 1f);
            return (root, overall);
        }
        double weighted = 0;
        for (int j = 0; j < root.Length; j++)
        {
            root[j] = (float)Math.Sqrt(overall / Math.Max(means[j], floor * overall));
            weighted += (double)root[j] * root[j] * means[j];
        }
        return (root, weighted / root.Length);
    }

    /// <summary>The standardizer and autoencoder whose plain error is the weighted error of <paramref name="standardizer"/> and <paramref name="autoencoder"/>.</summary>
    public static (Standardizer Standardizer, Autoencoder Autoencoder) Fold(Standardizer standardizer, Autoencoder autoencoder, float[] root)
    {
        int width = standardizer.Width;
        var scale = new float[width];
        TensorPrimitives.Divide(standardizer.Scale, root, scale);
        var layers = autoencoder.Layers.ToArray();
        var first = layers[0];
        var firstWeights = (float[])first.Weights.Clone();
        for (int j = 0; j < width; j++)
        {
            var row = firstWeights.AsSpan(j * first.Outputs, first.Outputs);
            TensorPrimitives.Divide(row, root[j], row);
        }
        layers[0] = first with { Weights = firstWeights };
        // Read after the first layer's fold: in a one-layer stack the first layer is the last.
        var last = layers[^1];
        var lastWeights = (float[])last.Weights.Clone();
        for (int i = 0; i < last.Inputs; i++)
        {
            var row = lastWeights.AsSpan(i * width, width);
            TensorPrimitives.Multiply(row, root, row);
        }
        var lastBias = new float[width];
        TensorPrimitives.Multiply(last.Bias, root, lastBias);
        layers[^1] = last with { Weights = lastWeights, Bias = lastBias };
        return (new Standardizer(standardizer.Mean, scale), new Autoencoder(layers, autoencoder.Training));
    }

    /// <summary>Records standardised by the original standardizer, rescaled in place to the folded one's (column j × √w_j).</summary>
    public static void Rescale(FloatTensor standardized, float[] root)
    {
        var data = standardized.Data.AsSpan();
        for (int r = 0; r < standardized.Records; r++)
        {
            var row = data.Slice(r * root.Length, root.Length);
            TensorPrimitives.Multiply(row, root, row);
        }
    }
}

using System.Diagnostics;
using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// PCA as a linear autoencoder: encoder W = the k leading eigenvectors of the training covariance (D×k), decoder Wᵀ,
/// both Identity dense layers with biases that centre and un-centre, so ẑ = μ + (z − μ)·W·Wᵀ.
/// </summary>
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
        var covariance = new float[d * d];
        Gemm.MultiplyTransposedA(centred, centred, covariance, d, n, d);
        float norm = 1f / Math.Max(1, n - 1);
        for (int i = 0; i < covariance.Length; i++) covariance[i] *= norm;
        cancellationToken.ThrowIfCancellationRequested();

        var (_, vectors) = TopEigenvectors.Compute(covariance, d, k, options.Seed, cancellationToken);

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
}

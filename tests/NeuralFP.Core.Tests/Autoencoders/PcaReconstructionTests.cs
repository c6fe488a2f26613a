using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class PcaReconstructionTests
{
    [Theory]
    [InlineData(40, 5, 0.25)]  // k = 10 ≥ rank: direct Jacobi
    [InlineData(300, 7, 0.05)] // k = 15 ≥ rank: subspace iteration
    public void Data_of_rank_at_most_k_is_reconstructed_exactly(int width, int rank, double ratio)
    {
        var data = new SyntheticData(width, rank, noise: 0, seed: width);
        var standardizer = Standardizer.Fit(data.OnManifold(1500));
        var train = standardizer.Transform(data.OnManifold(1500));
        var test = standardizer.Transform(data.OnManifold(300));
        var options = new AutoencoderOptions { Kind = AutoencoderKind.Pca, BottleneckRatio = ratio };

        var pca = AutoencoderTrainer.Fit(train, test, options);

        Assert.True(pca.Layers[0].Outputs >= rank);
        Assert.All(pca.Layers, layer => Assert.Equal(Activation.Identity, layer.Activation));
        Assert.True(pca.Errors(test).Max() < 1e-4, $"max error {pca.Errors(test).Max()}");
    }

    [Fact]
    public void Pca_error_is_no_larger_than_that_of_random_projections_of_the_same_width()
    {
        var (train, _, test, _) = new SyntheticData(width: 50, rank: 12, noise: 0.3, seed: 4, curved: true).Splits(2000, 0, 2000);
        var pca = AutoencoderTrainer.Fit(train, test, new AutoencoderOptions { Kind = AutoencoderKind.Pca, BottleneckRatio = 0.12 });
        int k = pca.Layers[0].Outputs;
        double pcaError = train.Data.Length == 0 ? 0 : MeanError(pca, train);

        var random = new Random(1);
        for (int trial = 0; trial < 20; trial++)
        {
            var basis = RandomOrthonormalColumns(50, k, random);
            Assert.True(pcaError <= ProjectionError(train, basis, 50, k) + 1e-6, $"trial {trial}");
        }
    }

    [Fact]
    public void Components_are_orthonormal_and_signed_with_the_largest_component_positive()
    {
        var (train, _, _, _) = new SyntheticData(width: 30, rank: 30, noise: 0.5, seed: 8).Splits(1000, 0, 0);
        var pca = AutoencoderTrainer.Fit(train, train, new AutoencoderOptions { Kind = AutoencoderKind.Pca });
        var encoder = pca.Layers[0];
        int d = encoder.Inputs, k = encoder.Outputs;
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += encoder.Weights[i * k + a] * encoder.Weights[i * k + b];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
            }
            int largest = Enumerable.Range(0, d).MaxBy(i => Math.Abs(encoder.Weights[i * k + a]));
            Assert.True(encoder.Weights[largest * k + a] > 0);
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < k; j++) Assert.Equal(encoder.Weights[i * k + j], pca.Layers[1].Weights[j * d + i]);
    }

    [Fact]
    public void With_fewer_records_than_features_the_gram_route_finds_the_covariance_routes_subspace()
    {
        // 120 records of 300 features: PCA goes through the 120×120 Gram matrix; the 300×300 covariance is the reference.
        var (train, _, test, _) = new SyntheticData(width: 300, rank: 10, noise: 0.2, seed: 12).Splits(120, 0, 200);
        var pca = AutoencoderTrainer.Fit(train, test, new AutoencoderOptions { Kind = AutoencoderKind.Pca, BottleneckRatio = 0.03 });
        int d = 300, k = pca.Layers[0].Outputs;
        Assert.Equal(9, k);

        var mean = new double[d];
        for (int r = 0; r < train.Records; r++)
            for (int i = 0; i < d; i++) mean[i] += train.Data[r * d + i] / (double)train.Records;
        var centred = new float[train.Records * d];
        for (int r = 0; r < train.Records; r++)
            for (int i = 0; i < d; i++) centred[r * d + i] = (float)(train.Data[r * d + i] - mean[i]);
        var covariance = new float[d * d];
        NeuralFP.Core.Numerics.Gemm.MultiplyTransposedA(centred, centred, covariance, d, train.Records, d);
        for (int i = 0; i < covariance.Length; i++) covariance[i] /= train.Records - 1;
        var (_, reference) = NeuralFP.Core.Numerics.TopEigenvectors.Compute(covariance, d, k, seed: 1);

        // The same subspace: the same error on records neither saw, and the same components up to float rounding.
        Assert.Equal(ProjectionError(test, reference, d, k), MeanError(pca, test), 3);
        var encoder = pca.Layers[0];
        for (int j = 0; j < k; j++)
        {
            double dot = 0;
            for (int i = 0; i < d; i++) dot += encoder.Weights[i * k + j] * reference[i * k + j];
            Assert.True(dot > 0.999, $"component {j}: cosine {dot}");
        }
    }

    [Fact]
    public void Fewer_records_than_the_bottleneck_leaves_the_directions_beyond_their_rank_empty_and_reconstructs_them()
    {
        // 40 records, bottleneck 64: the data span at most 39 directions; the rest carry no information and stay zero.
        var (train, _, _, _) = new SyntheticData(width: 400, rank: 60, noise: 0.1, seed: 13).Splits(40, 0, 0);
        var pca = AutoencoderTrainer.Fit(train, train, new AutoencoderOptions { Kind = AutoencoderKind.Pca });
        var encoder = pca.Layers[0];
        int d = encoder.Inputs, k = encoder.Outputs;
        Assert.Equal(64, k);
        var nonZero = Enumerable.Range(0, k).Count(j => Enumerable.Range(0, d).Any(i => encoder.Weights[i * k + j] != 0));
        Assert.Equal(39, nonZero);
        Assert.True(pca.Errors(train).Max() < 1e-4, $"max error on the training records {pca.Errors(train).Max()}");
    }

    private static double MeanError(Autoencoder autoencoder, FloatTensor records) => autoencoder.Errors(records).Average(x => (double)x);

    /// <summary>Mean error of projecting the (centred) records onto span(basis) and back.</summary>
    private static double ProjectionError(FloatTensor records, double[] basis, int d, int k)
    {
        var mean = new double[d];
        for (int r = 0; r < records.Records; r++)
            for (int i = 0; i < d; i++) mean[i] += records.Data[r * d + i] / (double)records.Records;
        double total = 0;
        var x = new double[d];
        for (int r = 0; r < records.Records; r++)
        {
            for (int i = 0; i < d; i++) x[i] = records.Data[r * d + i] - mean[i];
            double captured = 0;
            for (int j = 0; j < k; j++)
            {
                double c = 0;
                for (int i = 0; i < d; i++) c += x[i] * basis[i * k + j];
                captured += c * c;
            }
            total += (x.Sum(v => v * v) - captured) / d;
        }
        return total / records.Records;
    }

    private static double[] RandomOrthonormalColumns(int d, int k, Random random)
    {
        var basis = new double[d * k];
        for (int j = 0; j < k; j++)
        {
            var v = Enumerable.Range(0, d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += v[i] * basis[i * k + p];
                    for (int i = 0; i < d; i++) v[i] -= dot * basis[i * k + p];
                }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < d; i++) basis[i * k + j] = v[i] / norm;
        }
        return basis;
    }
}

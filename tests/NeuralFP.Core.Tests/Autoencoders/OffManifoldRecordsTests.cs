using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class OffManifoldRecordsTests
{
    [Theory]
    [InlineData(AutoencoderKind.Mlp)]
    [InlineData(AutoencoderKind.Pca)]
    public void Records_far_from_the_training_manifold_get_larger_errors_than_held_out_records(AutoencoderKind kind)
    {
        var data = new SyntheticData(width: 48, rank: 5, noise: 0.2, seed: 12, curved: true);
        var (train, validation, heldOut, standardizer) = data.Splits(2500, 500, 500);
        var outliers = standardizer.Transform(data.OffManifold(500));
        var autoencoder = AutoencoderTrainer.Fit(train, validation, new AutoencoderOptions { Kind = kind, MaxEpochs = 25 });

        var inErrors = autoencoder.Errors(heldOut);
        var outErrors = autoencoder.Errors(outliers);

        Assert.True(outErrors.Average(x => (double)x) > 5 * inErrors.Average(x => (double)x));
        // Nearly every outlier lies above the 95th percentile of the held-out errors.
        float threshold = inErrors.Order().ElementAt(475);
        Assert.True(outErrors.Count(e => e > threshold) >= 475, $"{outErrors.Count(e => e > threshold)} of 500 above τ");
    }
}

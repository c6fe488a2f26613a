using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class MlpTrainingReducesErrorTests
{
    [Theory]
    [InlineData(128)] // default hidden layers
    [InlineData(0)]   // linear autoencoder
    public void Validation_error_ends_far_below_the_predict_zero_baseline(int hiddenSize)
    {
        // Rank-4 data in 32 features: a bottleneck of 8 can capture all but the noise (≈ 1% of the variance).
        var (train, validation, test, _) = new SyntheticData(width: 32, rank: 4, noise: 0.1, seed: 7).Splits(2000, 400, 400);
        var autoencoder = AutoencoderTrainer.Fit(train, validation, new AutoencoderOptions { Kind = AutoencoderKind.Mlp, HiddenSize = hiddenSize, MaxEpochs = 30 });

        double baseline = test.Data.Average(x => (double)x * x); // error of reconstructing every record as zeros
        double error = autoencoder.Errors(test).Average(x => (double)x);
        Assert.InRange(baseline, 0.9, 1.1);
        Assert.True(error < 0.1 * baseline, $"test error {error} vs baseline {baseline}");

        var history = autoencoder.Training!.ValidationErrors;
        Assert.True(history[^1] < 0.5 * history[0], $"validation error went {history[0]} → {history[^1]}");
        Assert.Equal(history.Min(), autoencoder.Training.BestValidationError);
    }
}

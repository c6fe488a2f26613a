using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class EarlyStoppingTests
{
    [Fact]
    public void Training_stops_before_MaxEpochs_once_validation_stalls_and_keeps_the_best_epoch()
    {
        // Rank 2 in 12 features with a bottleneck of 3: fitted within a few epochs, then only noise is left.
        var (train, validation, _, _) = new SyntheticData(width: 12, rank: 2, noise: 0.3, seed: 9).Splits(4000, 500, 0);
        var options = new AutoencoderOptions { MaxEpochs = 200, Patience = 3 };
        var autoencoder = AutoencoderTrainer.Fit(train, validation, options);
        var summary = autoencoder.Training!;

        Assert.True(summary.StoppedEarly);
        Assert.True(summary.Epochs < options.MaxEpochs, $"ran {summary.Epochs} epochs");
        Assert.Equal(summary.Epochs, summary.ValidationErrors.Count);
        Assert.Equal(summary.ValidationErrors.Min(), summary.BestValidationError);
        Assert.Equal(summary.BestValidationError, summary.ValidationErrors[summary.BestEpoch - 1]);

        // The kept weights are the best epoch's, not the last one's.
        double kept = autoencoder.Errors(validation).Average(x => (double)x);
        Assert.Equal(summary.BestValidationError, kept, 1e-9);
    }
}

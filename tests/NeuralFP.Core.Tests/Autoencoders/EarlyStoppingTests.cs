using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class EarlyStoppingTests
{
    [Fact]
    public void Training_stops_before_MaxEpochs_once_validation_stalls_and_keeps_the_best_epoch()
    {
        // Rank 2 in 12 features with a bottleneck of 3: fitted within a few epochs, then only noise is left.
        var (train, validation, _, _) = new SyntheticData(width: 12, rank: 2, noise: 0.3, seed: 9).Splits(4000, 500, 0);
        var options = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 200, Patience = 3 };
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

    [Fact]
    public void Gains_below_the_minimum_do_not_reset_patience_but_still_mark_the_best_epoch()
    {
        var stopping = new EarlyStopping(patience: 2);
        Assert.False(stopping.Observe(1.0, out bool best1));
        Assert.False(stopping.Observe(0.5, out bool best2));
        Assert.False(stopping.Observe(0.4999, out bool best3)); // better, but by less than 0.1%
        Assert.True(stopping.Observe(0.6, out bool best4));     // second epoch without a real gain
        Assert.Equal([true, true, true, false], new[] { best1, best2, best3, best4 });
        Assert.Equal(3, stopping.BestEpoch);
        Assert.Equal(0.4999, stopping.Best);
    }
}

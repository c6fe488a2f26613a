using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class MlpTrainingIsDeterministicTests
{
    // Wide enough (D = 300, batch 128) that the first and last products fan out over threads, and more than one
    // chunk of validation records.
    private static readonly (FloatTensor Train, FloatTensor Validation, FloatTensor Test, Standardizer _) Data =
        new SyntheticData(width: 300, rank: 6, noise: 0.2, seed: 3, curved: true).Splits(600, 300, 0);

    [Fact]
    public void Same_seed_gives_bit_identical_weights()
    {
        var options = new AutoencoderOptions { MaxEpochs = 3, Seed = 5 };
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);

        AssertIdentical(first, second);
        Assert.Equal(first.Training!.ValidationErrors, second.Training!.ValidationErrors);
    }

    [Fact]
    public void The_number_of_threads_does_not_change_a_single_bit()
    {
        var options = new AutoencoderOptions { MaxEpochs = 3, Seed = 5 };
        var architecture = AutoencoderArchitecture.For(300, options);
        var serial = MlpTrainer.Fit(Data.Train, Data.Validation, options, architecture, CancellationToken.None, maxThreads: 1);
        var parallel = MlpTrainer.Fit(Data.Train, Data.Validation, options, architecture, CancellationToken.None, maxThreads: 5);
        AssertIdentical(serial, parallel);
    }

    [Fact]
    public void A_different_seed_gives_different_weights()
    {
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { MaxEpochs = 2, Seed = 5 });
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { MaxEpochs = 2, Seed = 6 });
        Assert.NotEqual(first.Layers[0].Weights, second.Layers[0].Weights);
    }

    private static void AssertIdentical(Autoencoder first, Autoencoder second)
    {
        Assert.Equal(first.Layers.Count, second.Layers.Count);
        for (int l = 0; l < first.Layers.Count; l++)
        {
            Assert.Equal(first.Layers[l].Weights, second.Layers[l].Weights);
            Assert.Equal(first.Layers[l].Bias, second.Layers[l].Bias);
        }
    }
}

using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class MlpTrainingIsDeterministicTests
{
    // Wide enough (D = 200, batch 128) that the GEMMs fan out over threads.
    private static readonly (NeuralFP.Core.Tensors.FloatTensor Train, NeuralFP.Core.Tensors.FloatTensor Validation, NeuralFP.Core.Tensors.FloatTensor Test, Standardizer _) Data =
        new SyntheticData(width: 200, rank: 6, noise: 0.2, seed: 3, curved: true).Splits(700, 200, 10);

    [Fact]
    public void Same_seed_gives_bit_identical_weights()
    {
        var options = new AutoencoderOptions { MaxEpochs = 4, Seed = 5 };
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);

        Assert.Equal(first.Layers.Count, second.Layers.Count);
        for (int l = 0; l < first.Layers.Count; l++)
        {
            Assert.Equal(first.Layers[l].Weights, second.Layers[l].Weights);
            Assert.Equal(first.Layers[l].Bias, second.Layers[l].Bias);
        }
        Assert.Equal(first.Training!.ValidationErrors, second.Training!.ValidationErrors);
    }

    [Fact]
    public void A_different_seed_gives_different_weights()
    {
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { MaxEpochs = 2, Seed = 5 });
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { MaxEpochs = 2, Seed = 6 });
        Assert.NotEqual(first.Layers[0].Weights, second.Layers[0].Weights);
    }
}

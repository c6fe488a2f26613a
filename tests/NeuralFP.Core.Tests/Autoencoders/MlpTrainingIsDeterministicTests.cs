using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class MlpTrainingIsDeterministicTests
{
    // Wide enough (D = 300, batch 128) that the first and last products and the Adam step fan out over threads, and
    // more than one chunk of validation records.
    private static readonly (FloatTensor Train, FloatTensor Validation, FloatTensor Test, Standardizer _) Data =
        new SyntheticData(width: 300, rank: 6, noise: 0.2, seed: 3, curved: true).Splits(600, 300, 0);

    [Fact]
    public void Same_seed_gives_bit_identical_weights()
    {
        var options = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, Seed = 5 };
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, options);

        AssertIdentical(first, second);
        Assert.Equal(first.Training!.ValidationErrors, second.Training!.ValidationErrors);
    }

    [Fact]
    public void The_number_of_threads_does_not_change_a_single_bit()
    {
        var options = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, Seed = 5 };
        var architecture = AutoencoderArchitecture.For(300, options);
        var serial = MlpTrainer.Fit(Data.Train, Data.Validation, options, architecture, CancellationToken.None, maxThreads: 1);
        var parallel = MlpTrainer.Fit(Data.Train, Data.Validation, options, architecture, CancellationToken.None, maxThreads: 5);
        AssertIdentical(serial, parallel);
    }

    [Fact]
    public void An_Adam_step_split_over_threads_equals_the_serial_step_bit_for_bit()
    {
        // Lengths that are not multiples of the vector width nor of the parallel chunk: every tail path runs.
        int[] lengths = [70_001, 16_389, 7];
        var random = new Random(9);
        float[][] Fill() => [.. lengths.Select(n => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())];
        var start = Fill();
        var gradients = Enumerable.Range(0, 3).Select(_ => Fill()).ToArray();
        float[][] serial = [.. start.Select(p => (float[])p.Clone())], parallel = [.. start.Select(p => (float[])p.Clone())];
        float[][] serialGradients = [.. lengths.Select(n => new float[n])], parallelGradients = [.. lengths.Select(n => new float[n])];
        var serialAdam = new AdamOptimizer(serial, serialGradients, 1e-3, maxThreads: 1);
        var parallelAdam = new AdamOptimizer(parallel, parallelGradients, 1e-3, maxThreads: 4);
        foreach (var step in gradients)
        {
            for (int t = 0; t < step.Length; t++)
            {
                step[t].CopyTo(serialGradients[t], 0);
                step[t].CopyTo(parallelGradients[t], 0);
            }
            serialAdam.Step();
            parallelAdam.Step();
        }
        for (int t = 0; t < lengths.Length; t++)
        {
            Assert.NotEqual(start[t], serial[t]);
            Assert.Equal(serial[t], parallel[t]);
        }
    }

    [Fact]
    public void A_different_seed_gives_different_weights()
    {
        var first = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, Seed = 5 });
        var second = AutoencoderTrainer.Fit(Data.Train, Data.Validation, new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, Seed = 6 });
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

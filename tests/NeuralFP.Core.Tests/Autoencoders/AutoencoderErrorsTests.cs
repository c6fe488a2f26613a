using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

public class AutoencoderErrorsTests
{
    [Fact]
    public void Errors_equal_the_mean_squared_difference_of_a_naive_forward_pass()
    {
        var random = new Random(3);
        DenseLayer Layer(int inputs, int outputs, Activation activation) => new(inputs, outputs,
            Enumerable.Range(0, inputs * outputs).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
            Enumerable.Range(0, outputs).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), activation);
        var autoencoder = new Autoencoder([Layer(9, 13, Activation.Relu), Layer(13, 4, Activation.Tanh), Layer(4, 9, Activation.Identity)]);
        var records = new SyntheticData(9, 3, 0.5, 1).OnManifold(700); // several chunks

        var errors = autoencoder.Errors(records);

        Assert.Equal(700, errors.Length);
        for (int r = 0; r < 700; r++)
        {
            double[] x = records.Record(r).ToArray().Select(v => (double)v).ToArray(), current = x;
            foreach (var layer in autoencoder.Layers)
            {
                var next = new double[layer.Outputs];
                for (int j = 0; j < layer.Outputs; j++)
                {
                    double sum = layer.Bias[j];
                    for (int i = 0; i < layer.Inputs; i++) sum += current[i] * layer.Weights[i * layer.Outputs + j];
                    next[j] = layer.Activation switch { Activation.Relu => Math.Max(0, sum), Activation.Tanh => Math.Tanh(sum), _ => sum };
                }
                current = next;
            }
            double expected = x.Zip(current, (a, b) => (a - b) * (a - b)).Average();
            Assert.Equal(expected, errors[r], Math.Max(1e-4, expected * 1e-4));
        }
    }

    [Fact]
    public void Errors_write_into_a_caller_buffer_and_check_the_width()
    {
        var autoencoder = new Autoencoder([new DenseLayer(2, 1, [1, 1], [0], Activation.Identity), new DenseLayer(1, 2, [0.5f, 0.5f], [0, 0], Activation.Identity)]);
        var buffer = new float[3];
        autoencoder.Errors(new FloatTensor([1, 1, 1, -1], [2, 2]), buffer);
        Assert.Equal(new[] { 0f, 1f, 0f }, buffer);
        var error = Assert.Throws<ArgumentException>(() => autoencoder.Errors(new FloatTensor([1, 2, 3], [1, 3])));
        Assert.Contains("takes 2", error.Message);
    }

    [Fact]
    public void Layers_that_do_not_form_an_autoencoder_are_rejected()
    {
        var chainBreak = Assert.Throws<ArgumentException>(() => new Autoencoder([new DenseLayer(2, 3, new float[6], new float[3], Activation.Relu), new DenseLayer(2, 2, new float[4], new float[2], Activation.Identity)]));
        Assert.Contains("outputs 3 features but layer 1 takes 2", chainBreak.Message);
        var notSquare = Assert.Throws<ArgumentException>(() => new Autoencoder([new DenseLayer(2, 3, new float[6], new float[3], Activation.Relu)]));
        Assert.Contains("reconstructs its input", notSquare.Message);
        var wrongWeights = Assert.Throws<ArgumentException>(() => new Autoencoder([new DenseLayer(2, 2, new float[3], new float[2], Activation.Relu)]));
        Assert.Contains("needs 4 weights", wrongWeights.Message);
    }
}

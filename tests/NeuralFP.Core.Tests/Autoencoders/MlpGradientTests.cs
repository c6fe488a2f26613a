using NeuralFP.Core.Autoencoders;

namespace NeuralFP.Core.Tests.Autoencoders;

public class MlpGradientTests
{
    [Theory]
    [InlineData(16)] // D → 16 ReLU → 2 → 16 ReLU → D
    [InlineData(0)]  // D → 2 → D, linear
    public void Backpropagated_gradients_match_central_differences_of_the_loss(int hiddenSize)
    {
        const int width = 5, rows = 7;
        var architecture = AutoencoderArchitecture.For(width, new AutoencoderOptions { HiddenSize = hiddenSize });
        var trainer = new MlpTrainer(architecture, rows, new Random(4));
        var random = new Random(9);
        for (int i = 0; i < rows * width; i++) trainer.Batch[i] = (float)(random.NextDouble() * 2 - 1);
        foreach (var layer in trainer.Layers)
            for (int j = 0; j < layer.Bias.Length; j++) layer.Bias[j] = (float)(random.NextDouble() * 0.2 - 0.1);

        trainer.ComputeGradients(rows);

        var weights = trainer.Layers.Select(l => l.Weights.Select(x => (double)x).ToArray()).ToArray();
        var biases = trainer.Layers.Select(l => l.Bias.Select(x => (double)x).ToArray()).ToArray();
        const double h = 1e-6;
        for (int l = 0; l < weights.Length; l++)
        {
            foreach (var (parameters, gradients) in new[] { (weights[l], trainer.WeightGradients[l]), (biases[l], trainer.BiasGradients[l]) })
                for (int i = 0; i < parameters.Length; i++)
                {
                    double saved = parameters[i];
                    parameters[i] = saved + h;
                    double plus = Loss(trainer, weights, biases, rows);
                    parameters[i] = saved - h;
                    double minus = Loss(trainer, weights, biases, rows);
                    parameters[i] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(numeric - gradients[i]) <= 1e-4 + 1e-3 * Math.Abs(numeric),
                        $"layer {l} parameter {i}: backprop {gradients[i]}, numeric {numeric}");
                }
        }
    }

    /// <summary>Mean squared reconstruction error over the batch, in double, with the given parameters.</summary>
    private static double Loss(MlpTrainer trainer, double[][] weights, double[][] biases, int rows)
    {
        int width = trainer.Layers[0].Inputs;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var x = Enumerable.Range(0, width).Select(j => (double)trainer.Batch[r * width + j]).ToArray();
            var current = x;
            for (int l = 0; l < trainer.Layers.Count; l++)
            {
                var layer = trainer.Layers[l];
                var next = new double[layer.Outputs];
                for (int o = 0; o < layer.Outputs; o++)
                {
                    double sum = biases[l][o];
                    for (int i = 0; i < layer.Inputs; i++) sum += current[i] * weights[l][i * layer.Outputs + o];
                    next[o] = layer.Activation == Activation.Relu ? Math.Max(0, sum) : sum;
                }
                current = next;
            }
            for (int j = 0; j < width; j++) total += (current[j] - x[j]) * (current[j] - x[j]);
        }
        return total / (rows * width);
    }
}

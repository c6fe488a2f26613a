using NeuralFP.Core.Detectors;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class LinearHeadReaderFixtureTests
{
    private const int Records = 64;

    private static (ModelProto Model, LinearHead Head, float[] Penultimate, float[] Logits) RunFixture()
    {
        var bytes = File.ReadAllBytes(DetectorFixtures.ModelPath("fmnist_cnn.onnx"));
        var model = ModelProto.Parser.ParseFrom(bytes);
        var head = LinearHeadReader.Read(bytes);
        var outputs = DetectorFixtures.Run(model, model.Graph.Input[0].Name, DetectorFixtures.FashionMnistTestImages(Records),
            [Records, 1, 28, 28], head.PenultimateTensor, head.LogitsTensor);
        return (model, head, outputs[head.PenultimateTensor], outputs[head.LogitsTensor]);
    }

    [Fact]
    public void Reads_the_64_by_10_head_of_the_fashion_mnist_cnn_and_reproduces_its_logits()
    {
        var (model, head, penultimate, logits) = RunFixture();

        Assert.Equal(64, head.Features);
        Assert.Equal(10, head.Classes);
        Assert.Equal(64 * 10, head.Weight.Length);
        Assert.Equal(model.Graph.Output[0].Name, head.LogitsTensor);
        Assert.Equal("Relu", model.Graph.Node.Single(n => n.Output.Contains(head.PenultimateTensor)).OpType);

        for (var i = 0; i < Records; i++)
            for (var k = 0; k < 10; k++)
            {
                double sum = head.Bias[k];
                for (var d = 0; d < 64; d++) sum += (double)penultimate[i * 64 + d] * head.Weight[d * 10 + k];
                var expected = logits[i * 10 + k];
                Assert.True(Math.Abs(sum - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"record {i} class {k}: x·W + b = {sum}, ONNX Runtime {expected}");
            }
    }

    [Fact]
    public void Dice_without_sparsity_on_real_activations_equals_energy_of_the_real_logits()
    {
        var (_, head, penultimate, logits) = RunFixture();
        var inputs = new DetectorInputs(new FloatTensor(logits, [Records, 10]), new FloatTensor(penultimate, [Records, 64]));
        var dice = new DiceDetector(head, new DiceOptions { Percentile = 0 });
        dice.Fit(inputs);

        var diceScores = SyntheticActivations.Scores(dice, inputs);
        var energyScores = SyntheticActivations.Scores(new EnergyDetector(), inputs);

        for (var i = 0; i < Records; i++) Assert.Equal(energyScores[i], diceScores[i], 1e-4 * (1 + Math.Abs(energyScores[i])));
    }
}

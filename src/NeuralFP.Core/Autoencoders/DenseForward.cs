using System.Numerics.Tensors;
using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Autoencoders;

/// <summary>One dense layer on a batch of rows: output = act(input·W + b).</summary>
internal static class DenseForward
{
    public static void Apply(DenseLayer layer, ReadOnlySpan<float> input, Span<float> output, int rows, int gemmThreads = 0)
    {
        Gemm.Multiply(input, layer.Weights, output, rows, layer.Inputs, layer.Outputs, gemmThreads);
        VectorMath.AddBiasToRows(output, layer.Bias, rows, relu: layer.Activation == Activation.Relu);
        if (layer.Activation == Activation.Tanh)
        {
            var values = output[..(rows * layer.Outputs)];
            TensorPrimitives.Tanh(values, values);
        }
    }
}

namespace NeuralFP.Core.Autoencoders;

/// <summary>y = act(x·W + b); <see cref="Weights"/> is [Inputs, Outputs] row-major.</summary>
public sealed record DenseLayer(int Inputs, int Outputs, float[] Weights, float[] Bias, Activation Activation);

using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>A trained autoencoder over standardised features: a stack of dense layers, input width = output width.</summary>
public sealed class Autoencoder(IReadOnlyList<DenseLayer> layers)
{
    public IReadOnlyList<DenseLayer> Layers { get; } = layers;

    public int Width => Layers[0].Inputs;

    /// <summary>Per-record reconstruction error: mean over features of (z − ẑ)².</summary>
    public float[] Errors(FloatTensor standardized) => throw new NotImplementedException();
}

namespace NeuralFP.Core.Autoencoders;

/// <summary>Checks that dense layers form an autoencoder: consistent shapes, each feeding the next, ending at the input width.</summary>
internal static class DenseLayerChain
{
    public static void Validate(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("An autoencoder needs at least one dense layer.", nameof(layers));
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l] ?? throw new ArgumentException($"Layer {l} is null.", nameof(layers));
            if (layer.Inputs < 1 || layer.Outputs < 1)
                throw new ArgumentException($"Layer {l} is {layer.Inputs}→{layer.Outputs}; both widths must be at least 1.", nameof(layers));
            if (layer.Weights is null || layer.Weights.Length != (long)layer.Inputs * layer.Outputs)
                throw new ArgumentException($"Layer {l} is {layer.Inputs}→{layer.Outputs} so needs {(long)layer.Inputs * layer.Outputs} weights; got {layer.Weights?.Length ?? 0}.", nameof(layers));
            if (layer.Bias is null || layer.Bias.Length != layer.Outputs)
                throw new ArgumentException($"Layer {l} needs {layer.Outputs} biases; got {layer.Bias?.Length ?? 0}.", nameof(layers));
            if (!Enum.IsDefined(layer.Activation))
                throw new ArgumentException($"Layer {l} has an unknown activation {layer.Activation}.", nameof(layers));
            if (l > 0 && layers[l - 1].Outputs != layer.Inputs)
                throw new ArgumentException($"Layer {l - 1} outputs {layers[l - 1].Outputs} features but layer {l} takes {layer.Inputs}.", nameof(layers));
        }
        if (layers[^1].Outputs != layers[0].Inputs)
            throw new ArgumentException($"The last layer outputs {layers[^1].Outputs} features but the first takes {layers[0].Inputs}; an autoencoder reconstructs its input.", nameof(layers));
    }
}

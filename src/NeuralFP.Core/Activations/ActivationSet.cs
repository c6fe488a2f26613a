using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Activations;

/// <summary>Pooled activations of N records at each tapped layer, plus the model's first output.</summary>
public sealed class ActivationSet(IReadOnlyList<string> layers, IReadOnlyList<FloatTensor> features, FloatTensor outputs)
{
    /// <summary>Layer names in tap order.</summary>
    public IReadOnlyList<string> Layers { get; } = layers;

    /// <summary>Per layer, an [N, D_l] feature matrix.</summary>
    public IReadOnlyList<FloatTensor> Features { get; } = features;

    /// <summary>The model's first output, [N, K] (logits or probabilities).</summary>
    public FloatTensor Outputs { get; } = outputs;

    public int Records => Outputs.Records;

    public FloatTensor this[string layer] => Features[IndexOf(layer)];

    public int IndexOf(string layer)
    {
        for (var i = 0; i < Layers.Count; i++) if (Layers[i] == layer) return i;
        throw new KeyNotFoundException($"Layer '{layer}' was not tapped; tapped layers: {string.Join(", ", Layers)}.");
    }
}

namespace NeuralFP.Core.Verdicts;

/// <summary>The fingerprint's judgement of one record.</summary>
/// <param name="Ood">The verdict: the integrated score past its calibrated threshold (the default), or under the one-out rule
/// any layer's error above its upper threshold or below its lower one.</param>
/// <param name="Score">Continuous out-of-distribution score, higher = more OOD (used for AUROC).</param>
/// <param name="PValue">The score's p-value against the held-out records (the one-out rule: the Bonferroni-corrected smallest
/// layer p-value).</param>
/// <param name="PredictedClass">The model's arg-max class.</param>
/// <param name="MaxProbability">Softmax probability of the predicted class.</param>
/// <param name="Layers">Per-layer detail, in fingerprint layer order: each layer's own one-out test, which under an integration
/// need not agree with the verdict.</param>
public sealed record Verdict(
    bool Ood,
    double Score,
    double PValue,
    int PredictedClass,
    double MaxProbability,
    IReadOnlyList<LayerVerdict> Layers)
{
    /// <summary>The layer that decided the verdict when the scorer said so (under an integration, the layer behind the score's
    /// largest term); null for a verdict of the one-out rule alone, whose deciding layer <see cref="DecidingLayer.Strongest"/>
    /// works out from <see cref="Layers"/>.</summary>
    public string? Decided { get; init; }

    /// <summary>Names of the layers whose error fell outside [Lower, Upper].</summary>
    public IEnumerable<string> FiredLayers => Layers.Where(l => l.Fired).Select(l => l.Layer);
}

/// <param name="Layer">Layer (tensor) name in the model graph.</param>
/// <param name="Error">Reconstruction error of the record's activations at this layer.</param>
/// <param name="Lower">μ_l: errors below this are suspiciously small.</param>
/// <param name="Upper">τ_l: errors above this are too large.</param>
/// <param name="PValue">Empirical p-value of the error against the held-out reference errors.</param>
/// <param name="Fired">Error &lt; Lower or Error &gt; Upper.</param>
public sealed record LayerVerdict(string Layer, double Error, double Lower, double Upper, double PValue, bool Fired);

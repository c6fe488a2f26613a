namespace NeuralFP.Core.Verdicts;

/// <summary>The fingerprint's judgement of one record.</summary>
/// <param name="Ood">True when any layer's error is above its upper threshold or below its lower one.</param>
/// <param name="Score">Continuous out-of-distribution score, higher = more OOD (used for AUROC).</param>
/// <param name="PValue">Bonferroni-corrected smallest layer p-value (two-sided unless configured one-sided).</param>
/// <param name="PredictedClass">The model's arg-max class.</param>
/// <param name="MaxProbability">Softmax probability of the predicted class.</param>
/// <param name="Layers">Per-layer detail, in fingerprint layer order.</param>
public sealed record Verdict(
    bool Ood,
    double Score,
    double PValue,
    int PredictedClass,
    double MaxProbability,
    IReadOnlyList<LayerVerdict> Layers)
{
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

namespace NeuralFP.Core.Verdicts;

/// <summary>
/// One record's verdict as the HTTP API and <c>nfp score</c> write it: what a gateway acts on, and the per-layer
/// evidence only when asked for (<c>?detail=layers</c>). The layer thresholds are the model's, written once per answer
/// (<see cref="LayerThresholds"/>); <see cref="ToVerdict"/> joins them back into the full <see cref="Verdict"/>.
/// </summary>
/// <param name="Ood">True when the record is out of distribution for the model.</param>
/// <param name="Score">Continuous out-of-distribution score, higher = more OOD.</param>
/// <param name="PValue">The score's p-value against the held-out in-distribution records.</param>
/// <param name="PredictedClass">The model's arg-max class.</param>
/// <param name="MaxProbability">Softmax probability of the predicted class.</param>
/// <param name="DecidingLayer">The layer whose evidence decided the verdict: under the integrated score (the default) the layer
/// behind the score's largest term (its error, its latent distance, or for the input layer the input's statistics); under the
/// one-out rule the fired layer with the smallest p-value, or for an in-distribution record the layer closest to firing.</param>
/// <param name="Layers">With <c>?detail=layers</c>: per layer, in the order of the answer's <c>layers</c>, the error, its p-value and whether it fired; absent otherwise.</param>
public sealed record RecordVerdict(
    bool Ood,
    double Score,
    double PValue,
    int PredictedClass,
    float MaxProbability,
    string DecidingLayer,
    IReadOnlyList<LayerEvidence>? Layers = null)
{
    /// <summary>The full verdict (as <see cref="Fingerprints.FingerprintScorer.Score"/> gives it in-process), from a detailed record and the answer's thresholds.</summary>
    /// <exception cref="InvalidOperationException">The record carries no per-layer detail (ask with <c>detail=layers</c>).</exception>
    public Verdict ToVerdict(IReadOnlyList<LayerThresholds> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        if (Layers is null)
            throw new InvalidOperationException("This verdict carries no per-layer detail; ask for it with detail=layers.");
        if (Layers.Count != thresholds.Count)
            throw new ArgumentException($"The verdict has {Layers.Count} layers but {thresholds.Count} thresholds were given.", nameof(thresholds));
        var layers = new LayerVerdict[Layers.Count];
        for (var l = 0; l < layers.Length; l++)
            layers[l] = new LayerVerdict(thresholds[l].Layer, Layers[l].Error, thresholds[l].Lower, thresholds[l].Upper, Layers[l].PValue, Layers[l].Fired);
        return new Verdict(Ood, Score, PValue, PredictedClass, MaxProbability, layers) { Decided = DecidingLayer };
    }
}

/// <summary>One layer's evidence about one record (<c>?detail=layers</c>).</summary>
/// <param name="Error">Reconstruction error of the record's activations at this layer.</param>
/// <param name="PValue">Empirical p-value of the error against the held-out reference errors.</param>
/// <param name="Fired">The error lies outside the layer's [lower, upper] thresholds.</param>
public sealed record LayerEvidence(float Error, double PValue, bool Fired);

/// <summary>A layer's thresholds: the same for every record, so written once per answer.</summary>
/// <param name="Layer">Layer (tensor) name in the model graph.</param>
/// <param name="Lower">μ_l: errors below this are suspiciously small.</param>
/// <param name="Upper">τ_l: errors above this are too large.</param>
public sealed record LayerThresholds(string Layer, double Lower, double Upper);

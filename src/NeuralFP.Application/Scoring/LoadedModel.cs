using NeuralFP.Core.Fingerprints;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Scoring;

/// <summary>A model's current fingerprint, loaded and ready to score. Owned by <see cref="ScorerCache"/>: do not dispose.</summary>
public sealed record LoadedModel(ModelRecord Record, int Version, FingerprintScorer Scorer)
{
    public string ModelId => Record.ModelId;
}

using NeuralFP.Core.Fingerprints;
using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Scoring;

/// <summary>A model's current fingerprint, loaded and ready to score. Owned by <see cref="ScorerCache"/>: do not dispose; use it only while its <see cref="ScorerLease"/> is held.</summary>
public sealed record LoadedModel(ModelRecord Record, int Version, FingerprintScorer Scorer)
{
    public string ModelId => Record.ModelId;

    /// <summary>What the scorer costs in memory, estimated from its files (what the cache's byte budget counts).</summary>
    public long EstimatedBytes { get; init; }
}

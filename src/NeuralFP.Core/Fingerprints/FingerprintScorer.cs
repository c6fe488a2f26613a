using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>Scores records with a fingerprint's fused scorer graph (one ONNX Runtime run per batch). Thread-safe.</summary>
public sealed class FingerprintScorer : IDisposable
{
    public FingerprintScorer(Fingerprint fingerprint) => throw new NotImplementedException();

    public Fingerprint Fingerprint => throw new NotImplementedException();

    /// <summary>The record shape the model accepts.</summary>
    public int[] InputShape => throw new NotImplementedException();

    /// <exception cref="InvalidRecordsException">Wrong shape, empty, or non-finite.</exception>
    public IReadOnlyList<Verdict> Score(FloatTensor records, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Match score of a batch against this fingerprint.</summary>
    public Matching.MatchResult Match(string modelId, FloatTensor records, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}

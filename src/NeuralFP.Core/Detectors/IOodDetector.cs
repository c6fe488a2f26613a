using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// An out-of-distribution detector over one forward pass's outputs and activations, in the
/// pytorch-ood shape: fit once on reference records, then score batches; higher scores are more OOD.
/// Implementations are immutable after <see cref="Fit"/>, so <see cref="Score"/> may run concurrently.
/// </summary>
public interface IOodDetector
{
    /// <summary>Short stable name (as used by <c>?detector=</c> and <c>nfp evaluate</c>).</summary>
    string Name { get; }

    /// <summary>One line on what the detector computes and what state it keeps.</summary>
    string Description { get; }

    bool IsFitted { get; }

    /// <summary>True for the detectors that keep reference records (k-NN), false for those keeping only statistics.</summary>
    bool KeepsReferenceData { get; }

    /// <summary>Bytes of fitted state (the arrays it keeps), as persisted.</summary>
    long StateBytes { get; }

    /// <summary>Learns the detector's state from in-distribution reference records.</summary>
    void Fit(DetectorInputs reference, CancellationToken cancellationToken = default);

    /// <summary>Writes one score per record into <paramref name="scores"/>, higher = more OOD. Allocation-free per record.</summary>
    void Score(DetectorInputs records, Span<double> scores);

    /// <summary>The fitted state as a versioned, JSON-serialisable DTO (<see cref="OodDetectorCatalog.Load"/> restores it).</summary>
    DetectorState Save();
}

using NeuralFP.Core.Monitoring;

namespace NeuralFP.Application.Drift;

/// <summary>What adding a batch did: the test after it, and whether it raised or cleared the alarm.</summary>
/// <param name="Counted">False when the batch was not added: already counted (same batch id) or from an older fingerprint version.</param>
public sealed record DriftUpdate(DriftState State, bool Raised, bool Cleared, bool Counted);

using NeuralFP.Core.Monitoring;

namespace NeuralFP.Application.Drift;

/// <summary>What adding a batch did: the test after it, and whether it raised or cleared the alarm.</summary>
/// <param name="Counted">False when the batch was not added: already counted (same batch id or writer mark) or from an older fingerprint version.</param>
/// <param name="Row">The row as stored after the write (with its new version tag), or as read when nothing was written.</param>
public sealed record DriftUpdate(DriftState State, bool Raised, bool Cleared, bool Counted, DriftWindowRecord? Row = null);

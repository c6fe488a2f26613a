namespace NeuralFP.Application.Drift;

/// <summary>
/// The last write-behind flush a writer (one model version in one app instance) applied to a drift row. Sequences only
/// grow and a writer has one flush in flight at a time, so <c>Sequence ≥ s</c> on the row means flush <c>s</c> is in it.
/// </summary>
public sealed record WriterMark(string Writer, long Sequence);

namespace NeuralFP.Application.Drift;

/// <summary>Fingerprint verdict outcomes (true = OOD) to add to a model's window, in the order they were given.</summary>
/// <param name="ExpectedRate">The fingerprint's calibrated false-positive rate.</param>
/// <param name="BatchId">A queued batch's id, so that a redelivery is counted once; null for HTTP verdicts.</param>
public sealed record DriftBatch(string ModelId, int ModelVersion, double ExpectedRate, bool[] Outcomes, string? BatchId = null);

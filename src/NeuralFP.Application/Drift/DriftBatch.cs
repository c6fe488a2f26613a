namespace NeuralFP.Application.Drift;

/// <summary>Fingerprint verdict outcomes (true = OOD) to add to a model's window, in the order they were given.</summary>
/// <param name="ExpectedRate">The fingerprint's calibrated false-positive rate.</param>
/// <param name="BatchId">A queued batch's id, so that a redelivery is counted once; null for HTTP verdicts.</param>
/// <param name="EarlierRecords">Outcomes that came before <paramref name="Outcomes"/> but were dropped from a buffer because the window
/// cannot hold them: counted in the totals and hourly buckets, not in the test.</param>
/// <param name="EarlierOod">How many of <paramref name="EarlierRecords"/> were OOD.</param>
/// <param name="LayerFires">Per fingerprint layer, records of this batch (earlier ones included) whose error there left [μ, τ]; null when unknown.</param>
public sealed record DriftBatch(string ModelId, int ModelVersion, double ExpectedRate, bool[] Outcomes, string? BatchId = null, long EarlierRecords = 0, long EarlierOod = 0,
    long[]? LayerFires = null);

namespace NeuralFP.Application.Drift;

/// <summary>Fingerprint verdict outcomes (true = OOD) to add to a model's window, in the order they were given.</summary>
/// <param name="ExpectedRate">The fingerprint's calibrated false-positive rate.</param>
/// <param name="BatchId">A queued batch's id, so that a redelivery is counted once; null for HTTP verdicts.</param>
/// <param name="EarlierRecords">Outcomes that came before <paramref name="Outcomes"/> but were dropped from a buffer because the window
/// cannot hold them: counted in the totals and hourly buckets, not in the test.</param>
/// <param name="EarlierOod">How many of <paramref name="EarlierRecords"/> were OOD.</param>
/// <param name="LayerFires">Per fingerprint layer, records of this batch (earlier ones included) whose error there left [μ, τ]; null when unknown.</param>
/// <param name="Hours">The batch's records counted by the hour they were scored in (write-behind: a flush can land hours later after an
/// outage). When set, these counts replace <paramref name="EarlierRecords"/>, <paramref name="EarlierOod"/>, <paramref name="LayerFires"/> and
/// the outcomes' own count in the totals and buckets; <paramref name="Outcomes"/> still feed the test.</param>
/// <param name="Mark">The write-behind flush this batch is (writer id and sequence), stored on the row so that a flush whose answer was
/// lost is recognised when retried and applied exactly once; null for writes that need no such mark.</param>
public sealed record DriftBatch(string ModelId, int ModelVersion, double ExpectedRate, bool[] Outcomes, string? BatchId = null, long EarlierRecords = 0, long EarlierOod = 0,
    long[]? LayerFires = null, IReadOnlyList<HourlyCount>? Hours = null, WriterMark? Mark = null)
{
    /// <summary>What the batch adds to the hourly buckets (and, summed, to the totals).</summary>
    public IReadOnlyList<HourlyCount> CountsByHour(DateTimeOffset now)
    {
        if (Hours is not null) return Hours;
        long ood = EarlierOod;
        foreach (var outcome in Outcomes) if (outcome) ood++;
        return [new HourlyCount(DriftWindowRecord.HourOf(now), EarlierRecords + Outcomes.Length, ood, LayerFires: LayerFires)];
    }
}

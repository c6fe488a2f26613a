namespace NeuralFP.Application.Drift;

/// <summary>
/// Verdict outcomes recorded since a writer's last flush, fixed in size whatever the traffic: the newest window's worth
/// of outcomes (all the test can use), and the records, OOD verdicts and per-layer fires counted by the hour they were
/// scored in (at most a week of hours plus one bucket for anything older, which only the totals keep).
/// Not thread-safe: the writer holds its lock.
/// </summary>
internal sealed class PendingOutcomes(int windowSize)
{
    /// <summary>Hours kept apart: as many as the row keeps (a flush after a longer outage adds older hours to the totals only).</summary>
    private const int MaxHours = DriftTracker.KeptHours;

    /// <summary>The bucket for hours beyond <see cref="MaxHours"/>: older than any the row keeps, so counted in its totals only.</summary>
    private static readonly DateTimeOffset Older = DateTimeOffset.MinValue;

    private readonly Queue<bool> _outcomes = new();
    private readonly List<HourlyCount> _hours = [];

    public bool IsEmpty => _hours.Count == 0;

    public long Records => _hours.Sum(h => h.Records);

    public void Add(VerdictOutcomes outcomes, DateTimeOffset now)
    {
        foreach (var outcome in outcomes.Outcomes)
        {
            if (_outcomes.Count == windowSize) _outcomes.Dequeue();
            _outcomes.Enqueue(outcome);
        }
        var hour = DriftWindowRecord.HourOf(now);
        var ood = outcomes.OodCount;
        var index = _hours.FindLastIndex(h => h.Hour == hour);
        if (index >= 0)
        {
            var current = _hours[index];
            _hours[index] = current with
            {
                Records = current.Records + outcomes.Outcomes.Length,
                Ood = current.Ood + ood,
                LayerFires = VerdictOutcomes.Add(current.LayerFires, outcomes.LayerFires),
            };
            return;
        }
        _hours.Add(new HourlyCount(hour, outcomes.Outcomes.Length, ood, LayerFires: outcomes.LayerFires is null ? null : [.. outcomes.LayerFires]));
        _hours.Sort((a, b) => a.Hour.CompareTo(b.Hour));
        var first = _hours[0].Hour == Older ? 1 : 0;
        if (_hours.Count - first <= MaxHours) return;
        // More hours than the row keeps (a week-long outage): the oldest one now counts in the totals only.
        var oldest = _hours[first];
        _hours.RemoveAt(first);
        if (first == 1) _hours[0] = _hours[0] with { Records = _hours[0].Records + oldest.Records, Ood = _hours[0].Ood + oldest.Ood };
        else _hours.Insert(0, new HourlyCount(Older, oldest.Records, oldest.Ood));
    }

    /// <summary>Everything pending as one batch (outcomes oldest first, counts by hour), and empties the buffer.</summary>
    public DriftBatch Take(string modelId, int version, double expectedRate, WriterMark mark)
    {
        var batch = new DriftBatch(modelId, version, expectedRate, [.. _outcomes], Hours: [.. _hours], Mark: mark);
        _outcomes.Clear();
        _hours.Clear();
        return batch;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NeuralFP.Application.Drift;

/// <summary>
/// Collects the outcomes of HTTP verdicts for the drift windows, off the request's critical path (write-behind): a
/// request adds its outcomes to its model version's <see cref="DriftWriter"/> in memory and returns; <see cref="FlushAsync(CancellationToken)"/>
/// (every <see cref="DriftAlarmOptions.FlushInterval"/>, and on shutdown) writes each writer's pending outcomes with one
/// conditional write. With a flush interval of 0 each request waits for the write that carries its outcomes (group commit).
/// A failed write never fails a request: the outcomes stay pending for the next flush (after a refusal, the next probe; see
/// <see cref="DriftWriter"/>). Memory is bounded: each writer holds a fixed amount, and at most <c>maxWriters</c> model
/// versions hold outcomes at once; outcomes of another model version beyond that are dropped, counted (<see cref="DriftWriteHealth"/>).
/// </summary>
public sealed class DriftRecorder(DriftTracker tracker, ILogger<DriftRecorder>? logger = null, int maxWriters = DriftRecorder.DefaultMaxWriters)
{
    /// <summary>
    /// Model versions whose outcomes one instance holds at most: far more than one instance scores within
    /// <see cref="IdleWriterLifetime"/>; reached only when writes fail for long (each writer holds at most ≈ 50 KiB).
    /// </summary>
    public const int DefaultMaxWriters = 256;

    /// <summary>A writer with nothing pending and no outcome for this long is dropped (its model version is idle or replaced).</summary>
    public static readonly TimeSpan IdleWriterLifetime = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly ConcurrentDictionary<(string ModelId, int Version), DriftWriter> _writers = new();

    /// <summary>This instance's writers' id prefix on the rows (marks tell which flushes a row already holds).</summary>
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];

    /// <summary>Flush sequence numbers, growing over every writer this instance ever has (a retired writer's successor must not reuse them).</summary>
    private long _sequence;

    /// <summary>True when outcomes are written by <see cref="FlushAsync(CancellationToken)"/> after the request, false when during it.</summary>
    public bool Buffered => tracker.Options.FlushInterval > TimeSpan.Zero;

    /// <summary>Model versions with a writer in memory (bounded by <see cref="IdleWriterLifetime"/>).</summary>
    public int Writers => _writers.Count;

    public Task RecordAsync(string modelId, int version, double expectedRate, bool[] outcomes, CancellationToken cancellationToken)
        => RecordAsync(modelId, version, expectedRate, new VerdictOutcomes(outcomes, null), cancellationToken);

    /// <param name="outcomes">Each verdict's outcome and the batch's per-layer fire counts (null: not recorded).</param>
    public async Task RecordAsync(string modelId, int version, double expectedRate, VerdictOutcomes outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(outcomes.Outcomes);
        if (outcomes.Outcomes.Length == 0) return;
        var now = tracker.Time.GetUtcNow();
        DriftWriter? writer;
        do
        {
            if (!_writers.TryGetValue((modelId, version), out writer) && _writers.Count >= maxWriters)
            {
                tracker.Health.Drop(outcomes.Outcomes.Length, DriftWriteHealth.WriterLimit, modelId,
                    $"{maxWriters} model versions already hold outcomes not written yet (is the drift table refusing writes?).");
                return;
            }
            writer ??= _writers.GetOrAdd((modelId, version), key => new DriftWriter(tracker, key.ModelId, key.Version, expectedRate, $"{_instance}.{key.Version}",
                () => Interlocked.Increment(ref _sequence), _logger));
        }
        while (!writer.TryAdd(outcomes, now));
        // Not the request's token for the write itself: it may carry other requests' outcomes too.
        if (!Buffered) await writer.FlushAsync(CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes every writer's pending outcomes (one conditional write each) and drops writers idle for <see cref="IdleWriterLifetime"/>.</summary>
    /// <returns>False when some outcomes could not be written; they stay pending for the next flush.</returns>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var now = tracker.Time.GetUtcNow();
        var all = true;
        foreach (var (key, writer) in _writers)
        {
            all &= await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (writer.TryRetire(now - IdleWriterLifetime)) _writers.TryRemove(KeyValuePair.Create(key, writer));
        }
        return all;
    }

    /// <summary>Writes the pending outcomes of one model's writers, so that a read of its drift row that follows sees them.</summary>
    public async Task FlushAsync(string modelId, CancellationToken cancellationToken)
    {
        foreach (var (key, writer) in _writers)
            if (string.Equals(key.ModelId, modelId, StringComparison.Ordinal))
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether outcomes reach the drift table (the tracker's, shared with queued batches).</summary>
    public DriftWriteHealth Health => tracker.Health;

    /// <summary>Outcomes recorded but not yet in the table, over every writer (what a crash would lose).</summary>
    public long PendingRecords => _writers.Values.Sum(w => w.PendingRecords);
}

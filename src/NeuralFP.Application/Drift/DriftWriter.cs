using Microsoft.Extensions.Logging;
using NeuralFP.Application.Errors;

namespace NeuralFP.Application.Drift;

/// <summary>
/// The write-behind state of one model version's drift row in this instance: outcomes recorded since the last write
/// (<see cref="PendingOutcomes"/>), the flush in flight, and the row as last written (ETag included), so that a flush is
/// one conditional write, not a read and a write. Flushes run one at a time; each carries a <see cref="WriterMark"/>
/// so that one whose answer was lost (a timeout after the write landed) is recognised on retry and counted once.
/// A transient failure is retried by the next flush; a refusal retrying will not fix (<see cref="StorageRejectedException"/>)
/// is reported through <see cref="DriftTracker.Health"/> and tried again only every <see cref="RefusedRetryInterval"/> (so the
/// app recovers by itself once the cause is fixed), the outcomes kept meanwhile (bounded, see <see cref="PendingOutcomes"/>);
/// content storage refuses as malformed or too large is dropped, counted.
/// </summary>
internal sealed class DriftWriter(DriftTracker tracker, string modelId, int version, double expectedRate, string id, Func<long> nextSequence, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly PendingOutcomes _pending = new(tracker.Options.WindowSize);
    private DriftBatch? _inFlight; // taken from _pending; not known to be in the row yet
    private DriftWindowRecord? _row; // as last written; null = read it before the next write
    private DateTimeOffset _lastRecorded = DateTimeOffset.MinValue;
    private bool _retired;
    private DateTimeOffset _retryAfter = DateTimeOffset.MinValue; // after a refusal: no write before this

    /// <summary>How often a writer whose writes storage refuses tries again (a probe, not a retry loop).</summary>
    public static readonly TimeSpan RefusedRetryInterval = TimeSpan.FromSeconds(30);

    public long PendingRecords
    {
        get
        {
            lock (_gate) return _pending.Records + (_inFlight?.Hours?.Sum(h => h.Records) ?? 0);
        }
    }

    /// <returns>False when the writer was retired meanwhile: take a new one.</returns>
    public bool TryAdd(VerdictOutcomes outcomes, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_retired) return false;
            _pending.Add(outcomes, now);
            _lastRecorded = now;
            return true;
        }
    }

    /// <summary>Writes what is pending (after a failed flush, first the failed flush again, as it was).</summary>
    /// <returns>False when a write failed; what it carried stays for the next flush.</returns>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (tracker.Time.GetUtcNow() < _retryAfter) return false; // refused lately: wait for the next probe
            // A retried flush that succeeds is followed at once by what was recorded meanwhile.
            for (var round = 0; round < 2; round++)
            {
                DriftBatch batch;
                lock (_gate)
                {
                    if (_inFlight is null)
                    {
                        if (_pending.IsEmpty) return true;
                        _inFlight = _pending.Take(modelId, version, expectedRate, new WriterMark(id, nextSequence()));
                        round = 1;
                    }
                    batch = _inFlight;
                }
                if (!await WriteAsync(batch, cancellationToken).ConfigureAwait(false)) return false;
            }
            return true;
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task<bool> WriteAsync(DriftBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            var update = await tracker.RecordAsync(batch, _row, cancellationToken).ConfigureAwait(false);
            _row = update.Row;
            lock (_gate) _inFlight = null;
            _retryAfter = DateTimeOffset.MinValue;
            tracker.Health.Landed();
            return true;
        }
        catch (StorageRejectedException rejected)
        {
            _row = null;
            _retryAfter = tracker.Time.GetUtcNow() + RefusedRetryInterval;
            tracker.Health.Refused(rejected, modelId);
            if (rejected.ContentRefused)
            {
                // Sending it again can never succeed: give it up, counted, rather than hold it and everything after it.
                lock (_gate) _inFlight = null;
                tracker.Health.Drop(batch.Hours?.Sum(h => h.Records) ?? batch.Outcomes.Length, DriftWriteHealth.RefusedContent, modelId, rejected.Message);
            }
            return false;
        }
        catch (Exception e)
        {
            // The write may or may not have landed: read the row before the next attempt, whose mark tells.
            _row = null;
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                logger.LogWarning("Model {ModelId} version {Version}: flushing {Count} verdict outcomes to the drift window was cut off.", modelId, version, batch.Hours?.Sum(h => h.Records));
            else
                logger.LogWarning(e, "Model {ModelId} version {Version}: {Count} verdict outcomes could not be added to the drift window yet; the next flush retries.",
                    modelId, version, batch.Hours?.Sum(h => h.Records));
            return false;
        }
    }

    /// <summary>Retires the writer if it holds nothing and recorded nothing since <paramref name="idleBefore"/>.</summary>
    public bool TryRetire(DateTimeOffset idleBefore)
    {
        lock (_gate)
        {
            if (_inFlight is not null || !_pending.IsEmpty || _lastRecorded >= idleBefore) return false;
            _retired = true;
            return true;
        }
    }
}

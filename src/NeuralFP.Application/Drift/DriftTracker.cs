using Microsoft.Extensions.Logging;
using NeuralFP.Core.Monitoring;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Application.Drift;

/// <summary>
/// Adds verdict outcomes to each model's rolling window in the drift table and re-runs the drift test
/// (<see cref="DriftMonitor"/>: one-sided binomial test against the fingerprint's calibrated FPR). Writes are
/// optimistic (ETag): a writer that loses the race reads the row again and reapplies its outcomes, so concurrent
/// requests and instances never lose each other's outcomes. The writer whose update raises the alarm owes
/// its side effects (alert message, registry flag, metric); they are marked pending in the same write and
/// retried by later writers until done, so an alarm is never silently dropped.
/// </summary>
public sealed class DriftTracker
{
    /// <summary>Batch ids remembered per model: enough for the retries of recent deliveries.</summary>
    internal const int RememberedBatches = 64;

    /// <summary>Hourly buckets kept: the last week plus the hour in progress (for the report's OOD-rate history).</summary>
    internal const int KeptHours = 7 * 24 + 1;

    /// <summary>Hourly buckets that keep their per-layer fire counts: the last day plus the hour in progress.</summary>
    internal const int LayerFireHours = 25;

    /// <summary>Write-behind writers remembered per row: more than the instances (times model versions) that write one model at a time.</summary>
    internal const int RememberedWriters = 32;

    private const int MaxAttempts = 40;

    private readonly IDriftStore _store;
    private readonly DriftAlarmPublisher _publisher;
    private readonly DriftAlarmOptions _options;
    private readonly ServiceTelemetry? _telemetry;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public DriftTracker(IDriftStore store, DriftAlarmPublisher publisher, DriftAlarmOptions options, ServiceTelemetry? telemetry = null, ILogger<DriftTracker>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _options = options;
        _telemetry = telemetry;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        Health = new DriftWriteHealth(telemetry, _logger, _time);
    }

    public DriftAlarmOptions Options => _options;

    /// <summary>Whether outcomes reach the drift table: refusals reported once, drops counted (shared by every writer of this tracker).</summary>
    public DriftWriteHealth Health { get; }

    /// <summary>The clock the hourly buckets follow.</summary>
    public TimeProvider Time => _time;

    /// <summary>The model's window as last written, or null when no verdict was recorded yet.</summary>
    public Task<DriftWindowRecord?> GetAsync(string modelId, CancellationToken cancellationToken) => _store.GetAsync(modelId, cancellationToken);

    public Task<DriftUpdate> RecordAsync(DriftBatch batch, CancellationToken cancellationToken) => RecordAsync(batch, known: null, cancellationToken);

    /// <summary>
    /// Adds the batch to the model's row. With <paramref name="known"/> (the row as this caller last read or wrote it, ETag
    /// included) the first attempt writes without reading; if another writer changed the row since, it is read again and the
    /// batch re-applied. A batch carrying a <see cref="DriftBatch.Mark"/> the row already holds is not applied again.
    /// </summary>
    /// <returns>What the write did, and the row as stored (<see cref="DriftUpdate.Row"/>) for the caller to keep.</returns>
    public async Task<DriftUpdate> RecordAsync(DriftBatch batch, DriftWindowRecord? known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(batch.Outcomes);
        ModelIds.Validate(batch.ModelId);
        if (known is not null && !string.Equals(known.ModelId, batch.ModelId, StringComparison.Ordinal))
            throw new ArgumentException($"The known row is model '{known.ModelId}', the batch model '{batch.ModelId}'.", nameof(known));
        var test = _options.For(batch.ExpectedRate);
        for (var attempt = 1; ; attempt++)
        {
            var existing = attempt == 1 && known is not null ? known : await _store.GetAsync(batch.ModelId, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.ModelVersion > batch.ModelVersion)
                return new DriftUpdate(existing.State, Raised: false, Cleared: false, Counted: false, existing); // verdicts of a replaced fingerprint
            var sameVersion = existing is not null && existing.ModelVersion == batch.ModelVersion;
            if (sameVersion && batch.BatchId is not null && existing!.RecentBatches.Contains(batch.BatchId, StringComparer.Ordinal))
                return new DriftUpdate(existing.State, Raised: false, Cleared: false, Counted: false, existing);
            if (sameVersion && batch.Mark is { } mark && existing!.Writers.Any(w => w.Writer == mark.Writer && w.Sequence >= mark.Sequence))
                return new DriftUpdate(existing.State, Raised: false, Cleared: false, Counted: false, existing); // a flush whose answer was lost

            var next = Apply(existing, sameVersion, batch, test, _time.GetUtcNow(), out var state, out var raised, out var cleared);
            var written = await _store.TryWriteAsync(next, cancellationToken).ConfigureAwait(false);
            if (written is null)
            {
                if (attempt >= MaxAttempts)
                    throw new InvalidOperationException($"The drift window of model '{batch.ModelId}' kept changing under {MaxAttempts} attempts to add {batch.Outcomes.Length} outcomes; the caller should retry.");
                // A row known from an earlier write is simply stale (another instance wrote): read it again at once. Writers that
                // collided on a fresh read pause, jittered and growing, so that they do not collide again in lockstep.
                if (attempt > 1 || known is null)
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + 5 * Math.Min(attempt, 10))), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (raised)
            {
                _telemetry?.DriftAlarms.Add(1, new KeyValuePair<string, object?>(TelemetryTags.ModelId, batch.ModelId));
                _logger.LogWarning("Model {ModelId} version {ModelVersion}: drift alarm {AlarmId} — {Ood} of the last {Count} verdicts OOD ({Rate:P1}, expected {Expected:P1}), p = {PValue:G3} < α = {Alpha}.",
                    batch.ModelId, batch.ModelVersion, written.AlarmsRaised, state.OodCount, state.WindowCount, state.Rate, state.ExpectedRate, state.PValue, state.Alpha);
            }
            else if (cleared)
            {
                _logger.LogInformation("Model {ModelId} version {ModelVersion}: drift alarm cleared — {Ood} of the last {Count} verdicts OOD, p = {PValue:G3}.",
                    batch.ModelId, batch.ModelVersion, state.OodCount, state.WindowCount, state.PValue);
            }
            if (written.AlertPending || written.RegistryPending)
            {
                await _publisher.SettleAsync(written, cancellationToken).ConfigureAwait(false);
                written = null; // settling rewrites the row: its ETag is no longer the one just written
            }
            return new DriftUpdate(state, raised, cleared, Counted: true, written);
        }
    }

    private static DriftWindowRecord Apply(DriftWindowRecord? existing, bool sameVersion, DriftBatch batch, DriftOptions test, DateTimeOffset now,
        out DriftState state, out bool raised, out bool cleared)
    {
        var monitor = sameVersion ? new DriftMonitor(test, existing!.Outcomes) : new DriftMonitor(test);
        state = monitor.Observe(batch.Outcomes);
        var wasAlarm = sameVersion && existing!.Alarm;
        raised = state.Alarm && !wasAlarm;
        // A new fingerprint version starts a new window: an alarm on the old one is over.
        cleared = !state.Alarm && (existing?.Alarm ?? false);
        var counts = batch.CountsByHour(now);
        long ood = 0, records = 0;
        foreach (var hour in counts)
        {
            records += hour.Records;
            ood += hour.Ood;
        }

        var recent = sameVersion ? existing!.RecentBatches : [];
        if (batch.BatchId is not null)
            recent = [.. recent.Skip(Math.Max(0, recent.Count + 1 - RememberedBatches)), batch.BatchId];

        return new DriftWindowRecord
        {
            ModelId = batch.ModelId,
            ModelVersion = batch.ModelVersion,
            ExpectedRate = test.ExpectedOodRate,
            Alpha = test.Alpha,
            WindowSize = test.WindowSize,
            Outcomes = monitor.Window,
            OodCount = state.OodCount,
            PValue = state.PValue,
            Alarm = state.Alarm,
            AlarmSince = raised ? now : state.Alarm ? existing!.AlarmSince : null,
            AlarmsRaised = (existing?.AlarmsRaised ?? 0) + (raised ? 1 : 0),
            AlertPending = raised || (state.Alarm && sameVersion && existing!.AlertPending),
            RegistryPending = raised || cleared || (existing?.RegistryPending ?? false),
            Hours = AddToHours(existing?.Hours ?? [], sameVersion, now, counts, state.Alarm),
            RecentBatches = recent,
            Writers = batch.Mark is { } mark ? Remember(existing?.Writers ?? [], mark) : existing?.Writers ?? [],
            TotalRecords = (existing?.TotalRecords ?? 0) + records,
            TotalOod = (existing?.TotalOod ?? 0) + ood,
            UpdatedAt = now,
            ETag = existing?.ETag,
        };
    }

    /// <summary>The writer's new mark, newest last; the writers that wrote longest ago are forgotten beyond <see cref="RememberedWriters"/>.</summary>
    private static WriterMark[] Remember(IReadOnlyList<WriterMark> writers, WriterMark mark)
    {
        var others = writers.Where(w => w.Writer != mark.Writer).ToList();
        return [.. others.Skip(Math.Max(0, others.Count + 1 - RememberedWriters)), mark];
    }

    /// <param name="counts">Records by the hour they were scored in; hours older than the kept week count in the totals only.</param>
    /// <param name="alarm">The alarm after this write: marks the hour in progress.</param>
    private static HourlyCount[] AddToHours(IReadOnlyList<HourlyCount> hours, bool sameVersion, DateTimeOffset now, IReadOnlyList<HourlyCount> counts, bool alarm)
    {
        var hour = DriftWindowRecord.HourOf(now);
        var keptSince = hour.AddHours(-KeptHours);
        var fireSince = hour.AddHours(-LayerFireHours);
        var updated = hours.Where(h => h.Hour > keptSince)
            .Select(h => (sameVersion && h.Hour > fireSince) || h.LayerFires is null ? h : h with { LayerFires = null }) // another version's layers do not add up
            .ToList();
        foreach (var count in counts)
        {
            if (count.Hour <= keptSince) continue;
            var fires = count.Hour > fireSince ? count.LayerFires : null;
            var index = updated.FindIndex(h => h.Hour == count.Hour);
            if (index >= 0)
            {
                var current = updated[index];
                updated[index] = current with
                {
                    Records = current.Records + count.Records,
                    Ood = current.Ood + count.Ood,
                    LayerFires = VerdictOutcomes.Add(current.LayerFires, fires),
                };
            }
            else
            {
                updated.Add(new HourlyCount(count.Hour, count.Records, count.Ood, LayerFires: fires is null ? null : [.. fires]));
            }
        }
        if (alarm)
        {
            var index = updated.FindIndex(h => h.Hour == hour);
            if (index >= 0) updated[index] = updated[index] with { Alarm = true };
            else updated.Add(new HourlyCount(hour, 0, 0, Alarm: true));
        }
        return [.. updated.OrderBy(h => h.Hour)];
    }
}

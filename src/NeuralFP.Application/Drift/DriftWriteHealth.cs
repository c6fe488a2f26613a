using Microsoft.Extensions.Logging;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Application.Drift;

/// <summary>
/// Whether drift outcomes reach their table, for the log, the health endpoint and the metrics: a write storage refuses
/// for a reason retrying will not fix (<see cref="StorageRejectedException"/>) is reported once per episode, as an error
/// naming what to change; outcomes given up are counted (<c>neuralfp.drift.outcomes.dropped</c>, by reason) and said in
/// the log, never dropped silently; the first write that lands again ends the episode, with the count of what it cost.
/// Transient failures are not recorded here: they are retried and lose nothing.
/// </summary>
public sealed class DriftWriteHealth(ServiceTelemetry? telemetry, ILogger logger, TimeProvider time)
{
    /// <summary>Reasons outcomes are dropped (the value of the metric's <see cref="TelemetryTags.Outcome"/> tag).</summary>
    public const string RefusedContent = "refused";
    public const string WriterLimit = "writer-limit";
    public const string Shutdown = "shutdown";
    public const string RefusedBatch = "batch-refused";

    private readonly Lock _gate = new();
    private StorageRejectedException? _failure;
    private DateTimeOffset _since;
    private long _dropped;
    private long _droppedInEpisode;

    /// <summary>The refusal in force (null while writes land or only fail transiently).</summary>
    public StorageRejectedException? Failure
    {
        get { lock (_gate) return _failure; }
    }

    /// <summary>Since when <see cref="Failure"/> is in force.</summary>
    public DateTimeOffset FailingSince
    {
        get { lock (_gate) return _since; }
    }

    /// <summary>Outcomes given up since the process started (every reason).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>One line for the health endpoint: "ok", or what is refused since when and what to change (no exception text, no hosts).</summary>
    public string Summary
    {
        get
        {
            lock (_gate)
            {
                if (_failure is null) return "ok";
                return $"drift writes refused since {_since:u} ({_failure.Status}{(_failure.Code is null ? "" : " " + _failure.Code)}): {_failure.Remedy}" +
                    (_droppedInEpisode > 0 ? $"; {_droppedInEpisode} outcomes dropped" : "");
            }
        }
    }

    /// <summary>A write was refused: the first refusal of an episode (or one with another status or code) is logged as an error.</summary>
    public void Refused(StorageRejectedException failure, string modelId)
    {
        ArgumentNullException.ThrowIfNull(failure);
        bool report;
        lock (_gate)
        {
            report = _failure is null || _failure.Status != failure.Status || !string.Equals(_failure.Code, failure.Code, StringComparison.Ordinal);
            if (_failure is null) _since = time.GetUtcNow();
            _failure = failure;
        }
        if (report)
            logger.LogError("Drift outcomes cannot be written (first refused for model {ModelId}): {Reason} Verdicts are still answered; the outcomes are kept (bounded) and written when storage accepts them again, checked every {Interval}.",
                modelId, failure.Message, DriftWriter.RefusedRetryInterval);
        else
            logger.LogDebug("Model {ModelId}: drift write still refused ({Status} {Code}).", modelId, failure.Status, failure.Code);
    }

    /// <summary>A write landed: ends a refusal episode, saying what it cost.</summary>
    public void Landed()
    {
        StorageRejectedException? ended;
        long dropped;
        DateTimeOffset since;
        lock (_gate)
        {
            if (_failure is null) return;
            (ended, dropped, since) = (_failure, _droppedInEpisode, _since);
            _failure = null;
            _droppedInEpisode = 0;
        }
        logger.LogInformation("Drift outcomes are written again (refused since {Since:u} with {Status} {Code}); {Dropped} outcomes were dropped meanwhile.",
            since, ended.Status, ended.Code, dropped);
    }

    /// <summary>How often drops of one reason are logged at most (they are counted every time).</summary>
    public static readonly TimeSpan DropLogInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (DateTimeOffset Logged, long Since)> _dropLog = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts outcomes given up and says so in the log (a warning: each is a verdict the drift test will never see), at
    /// most once per <see cref="DropLogInterval"/> and reason, with the count since the last such line.
    /// </summary>
    public void Drop(long records, string reason, string modelId, string why)
    {
        if (records <= 0) return;
        Interlocked.Add(ref _dropped, records);
        telemetry?.DriftOutcomesDropped.Add(records, new KeyValuePair<string, object?>(TelemetryTags.ModelId, modelId), new KeyValuePair<string, object?>(TelemetryTags.Outcome, reason));
        var now = time.GetUtcNow();
        long count;
        lock (_gate)
        {
            if (_failure is not null) _droppedInEpisode += records;
            var (logged, since) = _dropLog.GetValueOrDefault(reason, (DateTimeOffset.MinValue, 0));
            count = since + records;
            if (now - logged < DropLogInterval)
            {
                _dropLog[reason] = (logged, count);
                return;
            }
            _dropLog[reason] = (now, 0);
        }
        logger.LogWarning("Model {ModelId}: {Records} verdict outcomes dropped from the drift windows ({Reason}; {Total} since the process started): {Why}",
            modelId, count, reason, Dropped, why);
    }
}

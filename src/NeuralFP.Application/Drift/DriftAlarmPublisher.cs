using Microsoft.Extensions.Logging;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;

namespace NeuralFP.Application.Drift;

/// <summary>
/// Carries out what a drift alarm owes: the message on the alerts queue and the registry's alarm flag, then
/// clears the pending marks on the drift row. Failures are logged and left pending for the next writer. A refusal retrying
/// will not fix (<see cref="StorageRejectedException"/>: no right to send, a queue that cannot be created) is logged once as
/// an error naming what to change, and publishing pauses for <see cref="RefusedPause"/> (the alarm stays owed on the row),
/// so a model in alarm does not try and warn on every flush while the cause lasts.
/// </summary>
public sealed class DriftAlarmPublisher(IDriftAlertSender alerts, IModelRegistry registry, IDriftStore store, ILogger<DriftAlarmPublisher>? logger = null, TimeProvider? time = null)
{
    /// <summary>How long publishing pauses after a refusal.</summary>
    public static readonly TimeSpan RefusedPause = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private StorageRejectedException? _refused;

    public async Task SettleAsync(DriftWindowRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
            if (_time.GetUtcNow() < _pausedUntil) return; // refused lately: still owed, tried after the pause
        try
        {
            var alertSent = false;
            if (record.AlertPending && record.Alarm)
            {
                await SendAlertAsync(DriftAlert.From(record), cancellationToken).ConfigureAwait(false);
                alertSent = true;
            }
            var registrySet = record.RegistryPending && await SetRegistryFlagAsync(record, cancellationToken).ConfigureAwait(false);
            await ClearPendingAsync(record, alertSent || !record.Alarm, registrySet, cancellationToken).ConfigureAwait(false);
            StorageRejectedException? ended;
            lock (_gate) (ended, _refused) = (_refused, null);
            if (ended is not null) _logger.LogInformation("Drift alarms are published again (they were refused: {Reason}).", ended.Message);
        }
        catch (StorageRejectedException e)
        {
            bool report;
            lock (_gate)
            {
                report = _refused is null;
                _refused = e;
                _pausedUntil = _time.GetUtcNow() + RefusedPause;
            }
            if (report)
                _logger.LogError("Model {ModelId}: drift alarm {AlarmId} cannot be published: {Reason} It stays owed and is tried again every {Pause} while the model's verdicts are recorded.",
                    record.ModelId, record.AlarmsRaised, e.Message, RefusedPause);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Model {ModelId}: drift alarm {AlarmId} is not fully published yet (alert pending: {Alert}, registry pending: {Registry}); the next update retries.",
                record.ModelId, record.AlarmsRaised, record.AlertPending, record.RegistryPending);
        }
    }

    private async Task SendAlertAsync(DriftAlert alert, CancellationToken cancellationToken)
    {
        await alerts.SendAsync(alert, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Model {ModelId}: drift alarm {AlarmId} sent to {Queue}.", alert.ModelId, alert.AlarmId, alerts.Destination);
    }

    /// <returns>True when the registry now shows the record's alarm state (or the model is gone or has moved on).</returns>
    private async Task<bool> SetRegistryFlagAsync(DriftWindowRecord record, CancellationToken cancellationToken)
    {
        while (true)
        {
            var row = await registry.GetAsync(record.ModelId, cancellationToken).ConfigureAwait(false);
            if (row is null || (row.CurrentVersion is int current && current != record.ModelVersion && record.Alarm))
                return true; // nothing to flag: the alarm belongs to a version that no longer serves
            if (row.DriftAlarm == record.Alarm && row.DriftAlarmSince == record.AlarmSince)
                return true;
            if (await registry.TryUpdateAsync(row with { DriftAlarm = record.Alarm, DriftAlarmSince = record.AlarmSince }, cancellationToken).ConfigureAwait(false) is not null)
                return true;
        }
    }

    private async Task ClearPendingAsync(DriftWindowRecord settled, bool alertDone, bool registryDone, CancellationToken cancellationToken)
    {
        while (true)
        {
            var row = await store.GetAsync(settled.ModelId, cancellationToken).ConfigureAwait(false);
            if (row is null || row.ModelVersion != settled.ModelVersion) return;
            // Only what was settled: a later alarm (another id) or a later change of state is still owed.
            var clearAlert = alertDone && row.AlertPending && row.AlarmsRaised == settled.AlarmsRaised;
            var clearRegistry = registryDone && row.RegistryPending && row.Alarm == settled.Alarm && row.AlarmSince == settled.AlarmSince;
            if (!clearAlert && !clearRegistry) return;
            var cleared = row with
            {
                AlertPending = row.AlertPending && !clearAlert,
                RegistryPending = row.RegistryPending && !clearRegistry,
            };
            if (await store.TryWriteAsync(cleared, cancellationToken).ConfigureAwait(false) is not null) return;
        }
    }
}

using NeuralFP.Core.Monitoring;
using NeuralFP.Contracts;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Monitoring;

/// <summary>The drift state of a model's current fingerprint version, as the drift endpoint and the report show it.</summary>
/// <remarks>The outcomes this instance has recorded but not yet written are written first, so that a client reads its own verdicts; other
/// instances' arrive within their flush interval.</remarks>
public sealed class DriftReader(IModelRegistry registry, DriftTracker tracker, DriftRecorder recorder, TimeProvider time)
{
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="ModelNotReadyException">The model has no current fingerprint.</exception>
    public async Task<DriftView> ReadAsync(string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        if (record.CurrentVersion is not int version)
            throw new ModelNotReadyException(record.ModelId, record.Status, record.FailureReason);
        await recorder.FlushAsync(modelId, cancellationToken).ConfigureAwait(false);
        var window = await tracker.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
        return From(record, version, window, tracker.Options.For(record.Calibration?.TargetFpr ?? 0.05), time.GetUtcNow());
    }

    /// <summary>The drift state of an already loaded model (no second registry read) with the window's hourly buckets (the last week's,
    /// for the report's OOD-rate history; only the current version's buckets keep per-layer fire counts).</summary>
    public async Task<(DriftView View, IReadOnlyList<HourlyCount> Hours)> ReadWindowAsync(Application.Scoring.LoadedModel model, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await recorder.FlushAsync(model.ModelId, cancellationToken).ConfigureAwait(false);
        var window = await tracker.GetAsync(model.ModelId, cancellationToken).ConfigureAwait(false);
        var view = From(model.Record, model.Version, window, tracker.Options.For(model.Scorer.Fingerprint.Manifest.Calibration.TargetFpr), now);
        IReadOnlyList<HourlyCount> hours = window is null ? []
            : window.ModelVersion == model.Version ? window.Hours : [.. window.Hours.Select(h => h with { LayerFires = null })];
        return (view, hours);
    }

    /// <summary>The window if it belongs to <paramref name="version"/>; an empty one (no verdicts yet) otherwise.</summary>
    internal static DriftView From(ModelRecord record, int version, DriftWindowRecord? window, DriftOptions test, DateTimeOffset now)
    {
        if (window is null || window.ModelVersion != version)
        {
            var empty = DriftState.Evaluate(0, 0, test);
            return new DriftView(record.ModelId, version, test.WindowSize, 0, 0, 0, test.ExpectedOodRate, empty.PValue, test.Alpha, test.MinimumRecords,
                false, null, window?.AlarmsRaised ?? 0, 0, 0, null, 0, null);
        }
        var state = window.State;
        var (dayRecords, dayOod) = window.LastDay(now);
        return new DriftView(record.ModelId, version, test.WindowSize, state.WindowCount, state.OodCount, state.Rate, window.ExpectedRate, state.PValue, window.Alpha,
            test.MinimumRecords, window.Alarm, window.AlarmSince, window.AlarmsRaised, dayRecords, dayOod, dayRecords == 0 ? null : (double)dayOod / dayRecords,
            window.TotalRecords, window.UpdatedAt);
    }
}

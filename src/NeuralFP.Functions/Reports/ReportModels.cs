using NeuralFP.Core.Monitoring;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.Contracts;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Scoring;

namespace NeuralFP.Functions.Reports;

/// <summary>The report's content for a model's current fingerprint, its drift window and, optionally, a scored batch.</summary>
internal static class ReportModels
{
    /// <summary>Records of a posted batch shown with their explanations: the most unusual ones.</summary>
    public const int UnusualShown = 8;

    /// <summary>Input features named per shown record.</summary>
    private const int TopFeatures = 5;

    /// <param name="batch">A posted batch (its records and their verdicts), whose per-layer errors the plots mark; null for none.</param>
    public static ReportModel Create(LoadedModel model, DriftView drift, IReadOnlyList<HourlyCount> hours, PostedBatch? batch, string? batchLabel, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var manifest = model.Scorer.Fingerprint.Manifest;
        var rule = manifest.Rule;
        var lower = rule.Lower;
        var upper = rule.Upper;
        var layers = new LayerReport[rule.Layers.Count];
        for (var l = 0; l < layers.Length; l++)
        {
            double[]? errors = null;
            if (batch is not null)
            {
                errors = new double[batch.Verdicts.Count];
                for (var r = 0; r < errors.Length; r++) errors[r] = batch.Verdicts[r].Layers[l].Error;
            }
            // One-sided rules keep μ at 0 ("no lower bound"); the report draws no μ line for them.
            layers[l] = new LayerReport(rule.Layers[l], rule.Distributions[l].Quantiles, rule.TwoSided ? lower[l] : double.NegativeInfinity, upper[l], errors);
        }
        var calibration = manifest.Calibration;
        return new ReportModel(
            model.ModelId,
            model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            now,
            layers,
            new CalibrationSummary(calibration.TargetFpr, calibration.RealisedFpr, calibration.ReferenceRecords, calibration.HeldOutRecords, calibration.TwoSided, calibration.NewDataFpr, calibration.UnseenFrom),
            DriftSummaryOf(drift, hours, layers.Length, now),
            batch is null ? null : batchLabel ?? $"posted batch of {batch.Verdicts.Count} records",
            batch is null ? null : Unusual(model, batch, cancellationToken),
            manifest.SelfCheck,
            IntegrationSummary.Of(manifest.Integration),
            DetectorsOf(model));
    }

    /// <summary>The manifest's detector summaries; one written before they carried their interval on new data gets it from
    /// the detector's stored calibration, as the <c>?detector=</c> answers do.</summary>
    private static IReadOnlyList<Core.Fingerprints.DetectorSummary> DetectorsOf(LoadedModel model)
    {
        var fingerprint = model.Scorer.Fingerprint;
        return [.. fingerprint.Manifest.Detectors.Select(d => d.NewDataFpr is null && fingerprint.Detectors.Names.Contains(d.Name)
            ? d with { NewDataFpr = fingerprint.Detectors[d.Name].Calibration.NewDataFprInterval() }
            : d)];
    }

    /// <summary>The batch's records with the highest OOD score, explained (deciding layer, input heatmap) and drawn when they are images.</summary>
    private static UnusualRecord[] Unusual(LoadedModel model, PostedBatch batch, CancellationToken cancellationToken)
    {
        var verdicts = batch.Verdicts;
        var chosen = Enumerable.Range(0, verdicts.Count).OrderByDescending(i => verdicts[i].Score).ThenBy(i => i).Take(UnusualShown).ToArray();
        if (chosen.Length == 0) return [];
        var records = batch.Records;
        var length = records.RecordLength;
        var data = new float[chosen.Length * length];
        for (var k = 0; k < chosen.Length; k++) records.Record(chosen[k]).CopyTo(data.AsSpan(k * length, length));
        var subset = new FloatTensor(data, [chosen.Length, .. records.RecordShape]);
        var explanations = model.Scorer.Explainer.Explain(subset, [.. chosen.Select(i => verdicts[i])], TopFeatures, cancellationToken);
        var shown = new UnusualRecord[chosen.Length];
        for (var k = 0; k < chosen.Length; k++)
        {
            var verdict = verdicts[chosen[k]];
            shown[k] = new UnusualRecord(chosen[k], verdict.Ood, verdict.Score, verdict.PValue, [.. verdict.FiredLayers], explanations[k],
                RecordImage.From(subset.Record(k), records.RecordShape));
        }
        return shown;
    }

    private static DriftSummary? DriftSummaryOf(DriftView drift, IReadOnlyList<HourlyCount> hours, int layerCount, DateTimeOffset now)
    {
        if (drift.TotalRecords == 0 && hours.Count == 0) return null;
        var window = new DriftState(drift.Count, drift.OodCount, drift.Rate, drift.ExpectedRate, drift.PValue, drift.Alpha, drift.Alarm);
        // Per-layer fires of the last day: only hours that recorded them for this fingerprint's layers.
        var since = DriftWindowRecord.HourOf(now).AddHours(-23);
        long fireRecords = 0;
        long[]? fires = null;
        foreach (var hour in hours)
        {
            if (hour.Hour < since || hour.LayerFires is not { } counts || counts.Length != layerCount) continue;
            fires ??= new long[layerCount];
            for (var l = 0; l < layerCount; l++) fires[l] += counts[l];
            fireRecords += hour.Records;
        }
        return new DriftSummary((int)Math.Min(drift.LastDayRecords, int.MaxValue), (int)Math.Min(drift.LastDayOodRecords, int.MaxValue), window,
            [.. hours.Select(h => new HourlyRate(h.Hour, h.Records, h.Ood, h.Alarm))], drift.AlarmSince, fireRecords, fires);
    }
}

/// <summary>A batch posted to the report: its records and the fingerprint's verdicts on them, in order.</summary>
internal sealed record PostedBatch(FloatTensor Records, IReadOnlyList<Verdict> Verdicts);

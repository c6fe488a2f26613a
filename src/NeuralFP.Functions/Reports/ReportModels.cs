using NeuralFP.Core.Monitoring;
using NeuralFP.Core.Verdicts;
using NeuralFP.Functions.Contracts;
using NeuralFP.Application.Scoring;

namespace NeuralFP.Functions.Reports;

/// <summary>The report's content for a model's current fingerprint, its drift window and, optionally, a scored batch.</summary>
internal static class ReportModels
{
    /// <param name="batch">Verdicts of a posted batch, whose per-layer errors the plots mark; null for none.</param>
    public static ReportModel Create(LoadedModel model, DriftView drift, IReadOnlyList<Verdict>? batch, string? batchLabel, DateTimeOffset now)
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
                errors = new double[batch.Count];
                for (var r = 0; r < errors.Length; r++) errors[r] = batch[r].Layers[l].Error;
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
            new CalibrationSummary(calibration.TargetFpr, calibration.RealisedFpr, calibration.ReferenceRecords, calibration.HeldOutRecords, calibration.TwoSided),
            DriftSummaryOf(drift),
            batch is null ? null : batchLabel ?? $"posted batch of {batch.Count} records");
    }

    private static DriftSummary? DriftSummaryOf(DriftView drift)
    {
        if (drift.TotalRecords == 0) return null;
        var window = new DriftState(drift.Count, drift.OodCount, drift.Rate, drift.ExpectedRate, drift.PValue, drift.Alpha, drift.Alarm);
        return new DriftSummary((int)Math.Min(drift.LastDayRecords, int.MaxValue), (int)Math.Min(drift.LastDayOodRecords, int.MaxValue), window);
    }
}

using System.Diagnostics;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Fits the combined detector once the fingerprint is calibrated: its members' p-values and its threshold come
/// from the held-out records, which neither the autoencoders nor the other detectors were fitted on.
/// </summary>
internal static class CombinedDetectorFit
{
    public static DetectorSet AddIfRequested(DetectorSet detectors, IReadOnlyList<string> requested, string combinedRule, IReadOnlyList<string> partners, double fingerprintShare, OneOutRule rule, LayerIntegration? integration, IReadOnlyList<float[]> calibrationErrors, int[]? calibrationClasses, Func<ActivationSet> heldOutActivations, ReferenceSplit split, double targetFpr, IProgress<string>? progress)
    {
        if (!requested.Contains(DetectorNames.Combined)) return detectors;
        var clock = Stopwatch.StartNew();
        var fitted = detectors.Names.ToHashSet(StringComparer.Ordinal);
        // Members fixed a priori; a member the model cannot support (k-NN without a linear head) is left out.
        string[] members = [CombinedDetector.FingerprintMember, .. partners.Where(fitted.Contains)];
        if (partners.Where(p => !fitted.Contains(p)).ToArray() is { Length: > 0 } missing)
            progress?.Report($"Detector combined: {string.Join(", ", missing)} not fitted (not in the detector list, or the model cannot support it), so left out of the combined score; add it to the detectors to include it.");
        // The Gaussian rule reads the statistics the fingerprint's own Gaussian integration reads (none of its excluded ones).
        var statistics = integration is not null && IntegrationKinds.IsDensity(integration.Kind) ? integration.Included : null;

        // Fingerprint statistics and scores of the held-out records (a subset of the calibration records, in the same sorted order).
        var position = new Dictionary<int, int>(split.Calibration.Length);
        for (var i = 0; i < split.Calibration.Length; i++) position[split.Calibration[i]] = i;
        var count = calibrationErrors.Count;
        var layerStatistics = new float[split.HeldOut.Length * count];
        var fingerprint = new double[split.HeldOut.Length];
        for (var r = 0; r < split.HeldOut.Length; r++)
        {
            var row = position[split.HeldOut[r]];
            var record = layerStatistics.AsSpan(r * count, count);
            for (var l = 0; l < count; l++) record[l] = calibrationErrors[l][row];
            // The integration's cross-fitted score where it has one: scored by the fit that saw it, a record looks more
            // typical than a new one, and the combined threshold would then let through more than the target rate.
            fingerprint[r] = integration?.HeldOutScoresInRecordOrder is { } crossFitted && crossFitted.Length == split.Calibration.Length ? crossFitted[row]
                : integration?.Score(rule, record, calibrationClasses?[row] ?? -1) ?? rule.Score(record[..rule.Layers.Count]);
        }
        var inputs = DetectorSet.Inputs(heldOutActivations(), detectors.PenultimateTensor, detectors.LogitsTensor, detectors.OutputIsProbability);
        // Without class outputs there are no predicted classes: the per-class density becomes the one-mean density.
        if (combinedRule is CombinedDetector.GaussianPerClassRule or CombinedDetector.ScoreGaussianPerClassRule or CombinedDetector.NeighboursPerClassRule && inputs.Logits is not { RecordLength: > 1 })
        {
            var oneMean = combinedRule switch
            {
                CombinedDetector.GaussianPerClassRule => CombinedDetector.GaussianRule,
                CombinedDetector.NeighboursPerClassRule => CombinedDetector.NeighboursRule,
                _ => CombinedDetector.ScoreGaussianRule,
            };
            progress?.Report($"Detector combined: the model has no class outputs, so the {oneMean} rule replaces {combinedRule}.");
            combinedRule = oneMean;
        }
        var combined = new CombinedDetector(members, combinedRule, statistics, fingerprintShare);
        combined.Bind(detectors.Detectors.Select(d => d.Detector));
        inputs = new DetectorInputs(inputs.Logits, inputs.Penultimate, inputs.PatternLayer, inputs.Labels)
        {
            FingerprintScores = fingerprint, FingerprintStatistics = layerStatistics, FingerprintStatisticCount = count,
        };
        // The members' held-out scores were computed when they were calibrated on these same records.
        combined.Fit(inputs, detectors.HeldOutScores);
        // Calibrated on the scores new in-distribution records would get (cross-fitted for the Gaussian rule).
        var calibrated = new CalibratedDetector(combined, ScoreCalibration.Fit(combined.CalibrationScores, targetFpr));
        var summary = DetectorSummary.Of(calibrated, clock.Elapsed.TotalSeconds);
        progress?.Report($"Detector combined ({combinedRule}: {string.Join(" + ", members)}): {summary.Describe()}");
        return detectors.With(calibrated, summary, combined.CalibrationScores);
    }
}

using System.Buffers;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>A fitted detector with a threshold calibrated on held-out records for a target false-positive rate.</summary>
public sealed class CalibratedDetector
{
    public CalibratedDetector(IOodDetector detector, ScoreCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(calibration);
        if (!detector.IsFitted) throw new ArgumentException($"Detector '{detector.Name}' must be fitted before it is calibrated.", nameof(detector));
        Detector = detector;
        Calibration = calibration;
    }

    /// <summary>Scores held-out in-distribution records with a fitted detector and sets the threshold.</summary>
    public static CalibratedDetector Calibrate(IOodDetector fitted, DetectorInputs heldOut, double targetFpr = 0.05) =>
        Calibrate(fitted, heldOut, targetFpr, out _);

    /// <summary>As <see cref="Calibrate(IOodDetector, DetectorInputs, double)"/>, also giving the held-out scores (one per record, in order).</summary>
    internal static CalibratedDetector Calibrate(IOodDetector fitted, DetectorInputs heldOut, double targetFpr, out double[] heldOutScores)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(heldOut);
        heldOutScores = new double[heldOut.Records];
        fitted.Score(heldOut, heldOutScores);
        return new CalibratedDetector(fitted, ScoreCalibration.Fit(heldOutScores, targetFpr));
    }

    /// <summary>Fits on one split of the reference records and calibrates on another (they must not overlap).</summary>
    public static CalibratedDetector FitAndCalibrate(IOodDetector detector, DetectorInputs fit, DetectorInputs heldOut, double targetFpr = 0.05, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(detector);
        detector.Fit(fit, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return Calibrate(detector, heldOut, targetFpr);
    }

    public static CalibratedDetector Load(CalibratedDetectorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new CalibratedDetector(OodDetectorCatalog.Load(state.Detector), ScoreCalibration.Load(state.Calibration));
    }

    public IOodDetector Detector { get; }

    public ScoreCalibration Calibration { get; }

    public string Name => Detector.Name;

    public double Threshold => Calibration.Threshold;

    public double TargetFpr => Calibration.TargetFpr;

    public double RealisedFpr => Calibration.RealisedFpr;

    /// <summary>Detector state plus the held-out scores.</summary>
    public long StateBytes => Detector.StateBytes + Calibration.StateBytes;

    /// <summary>Scores, verdicts and (when <paramref name="pValues"/> is not empty) p-values, one slot per record.</summary>
    public void Evaluate(DetectorInputs records, Span<double> scores, Span<bool> ood, Span<double> pValues = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (ood.Length != records.Records || (!pValues.IsEmpty && pValues.Length != records.Records))
            throw new ArgumentException($"Give one verdict slot (and one p-value slot, or none) per record: {records.Records} records.");
        Detector.Score(records, scores);
        for (var i = 0; i < scores.Length; i++)
        {
            ood[i] = Calibration.IsOod(scores[i]);
            if (!pValues.IsEmpty) pValues[i] = Calibration.PValue(scores[i]);
        }
    }

    /// <summary>Verdict objects for a response body.</summary>
    public IReadOnlyList<DetectorVerdict> Evaluate(DetectorInputs records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var n = records.Records;
        var scores = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var s = scores.AsSpan(0, n);
            Detector.Score(records, s);
            var verdicts = new DetectorVerdict[n];
            for (var i = 0; i < n; i++)
                verdicts[i] = new DetectorVerdict(Name, s[i], Calibration.IsOod(s[i]), Calibration.PValue(s[i]), Threshold);
            return verdicts;
        }
        finally { ArrayPool<double>.Shared.Return(scores); }
    }

    public CalibratedDetectorState Save() => new() { Detector = Detector.Save(), Calibration = Calibration.Save() };
}

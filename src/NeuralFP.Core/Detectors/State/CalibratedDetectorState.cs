namespace NeuralFP.Core.Detectors.State;

public sealed record CalibratedDetectorState
{
    public int FormatVersion { get; init; } = DetectorState.CurrentFormatVersion;

    public required DetectorState Detector { get; init; }

    public required ScoreCalibrationState Calibration { get; init; }
}

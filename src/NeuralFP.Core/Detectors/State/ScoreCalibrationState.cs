using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record ScoreCalibrationState
{
    public int FormatVersion { get; init; } = DetectorState.CurrentFormatVersion;

    public double TargetFpr { get; init; }

    /// <summary>Held-out in-distribution scores, ascending (scores only, no features).</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<double>))]
    public required double[] SortedScores { get; init; }
}

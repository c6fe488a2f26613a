using System.Text.Json;

namespace NeuralFP.Core.Detectors.State;

/// <summary>JSON for detector state on its own (inside fingerprint.json the host's options apply; the state types carry their own attributes).</summary>
public static class DetectorJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static string Serialize(DetectorState state) => JsonSerializer.Serialize(state, Options);

    public static DetectorState Deserialize(string json) =>
        JsonSerializer.Deserialize<DetectorState>(json, Options)
        ?? throw new InvalidDataException("The detector state JSON is null; expected an object with a 'kind'.");

    public static string Serialize(CalibratedDetectorState state) => JsonSerializer.Serialize(state, Options);

    public static CalibratedDetectorState DeserializeCalibrated(string json) =>
        JsonSerializer.Deserialize<CalibratedDetectorState>(json, Options)
        ?? throw new InvalidDataException("The calibrated detector JSON is null; expected an object with 'detector' and 'calibration'.");
}

using System.Text.Json;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class SaveLoadRoundTripTests
{
    public static TheoryData<string> Names => DetectorFactory.Names;

    [Theory]
    [MemberData(nameof(Names))]
    public void Json_round_trip_gives_identical_scores(string name)
    {
        var reference = SyntheticActivations.Reference();
        var probe = SyntheticActivations.Reference(perClass: 20, seed: 123);
        var detector = DetectorFactory.Create(name);
        detector.Fit(reference);

        var json = DetectorJson.Serialize(detector.Save());
        var restored = OodDetectorCatalog.Load(DetectorJson.Deserialize(json));

        Assert.Equal(name, restored.Name);
        Assert.Contains($"\"kind\":\"{name}\"", json);
        Assert.Equal(detector.StateBytes, restored.StateBytes);
        Assert.Equal(SyntheticActivations.Scores(detector, probe), SyntheticActivations.Scores(restored, probe));
        Assert.Equal(SyntheticActivations.Scores(detector, SyntheticActivations.Far()), SyntheticActivations.Scores(restored, SyntheticActivations.Far()));
    }

    [Fact]
    public void Calibrated_detector_round_trips_with_its_threshold()
    {
        var reference = SyntheticActivations.Reference(seed: 1);
        var heldOut = SyntheticActivations.Reference(seed: 2);
        var calibrated = CalibratedDetector.FitAndCalibrate(new MahalanobisDetector(), reference, heldOut, 0.1);

        var restored = CalibratedDetector.Load(DetectorJson.DeserializeCalibrated(DetectorJson.Serialize(calibrated.Save())));

        Assert.Equal(calibrated.Threshold, restored.Threshold);
        Assert.Equal(calibrated.RealisedFpr, restored.RealisedFpr);
        Assert.Equal(calibrated.StateBytes, restored.StateBytes);
        Assert.Equal(calibrated.Evaluate(heldOut), restored.Evaluate(heldOut));
    }

    [Fact]
    public void State_from_a_newer_format_is_refused_with_a_clear_message()
    {
        var detector = new GaussianKlDetector();
        detector.Fit(SyntheticActivations.Reference());
        var state = (GaussianKlState)detector.Save() with { FormatVersion = DetectorState.CurrentFormatVersion + 1 };

        var e = Assert.Throws<NotSupportedException>(() => OodDetectorCatalog.Load(DetectorJson.Deserialize(DetectorJson.Serialize(state))));
        Assert.Contains("format version", e.Message);
    }

    [Fact]
    public void Large_arrays_are_packed_and_plain_json_arrays_are_read_too()
    {
        var detector = new GaussianKlDetector();
        detector.Fit(SyntheticActivations.Reference());
        var state = (GaussianKlState)detector.Save();
        var json = DetectorJson.Serialize(state);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("mean").ValueKind);

        var plain = $"{{\"kind\":\"gaussian-kl\",\"formatVersion\":1,\"mean\":[{string.Join(",", state.Mean.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}],\"variance\":\"{doc.RootElement.GetProperty("variance").GetString()}\"}}";
        var restored = (GaussianKlState)DetectorJson.Deserialize(plain);

        Assert.Equal(state.Mean, restored.Mean);
        Assert.Equal(state.Variance, restored.Variance);
    }
}

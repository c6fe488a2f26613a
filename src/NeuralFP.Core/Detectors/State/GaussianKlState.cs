using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record GaussianKlState : DetectorState
{
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Mean { get; init; }

    /// <summary>Population variance per unit, already floored.</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Variance { get; init; }
}

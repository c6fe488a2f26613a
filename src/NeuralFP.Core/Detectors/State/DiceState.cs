using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record DiceState : DetectorState
{
    public double Percentile { get; init; }

    public required string PenultimateTensor { get; init; }

    public required string LogitsTensor { get; init; }

    public required string OutputName { get; init; }

    public int Features { get; init; }

    public int Classes { get; init; }

    public int KeptWeights { get; init; }

    /// <summary>[Features, Classes] row-major, zeros where cut.</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] MaskedWeight { get; init; }

    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Bias { get; init; }

    /// <summary>Mean penultimate activation over the reference set (what the contributions were ranked by).</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] MeanActivation { get; init; }
}

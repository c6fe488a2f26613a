using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

public sealed record NodeHistogramState : DetectorState
{
    public int Bins { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<NodeSource>))]
    public NodeSource Source { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<NodeTail>))]
    public NodeTail Tail { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<PValueCombination>))]
    public PValueCombination Combination { get; init; }

    public int ReferenceCount { get; init; }

    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Minimum { get; init; }

    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Maximum { get; init; }

    /// <summary>Per node, reference activations equal to its minimum (kept apart from the bins).</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<int>))]
    public required int[] AtMinimum { get; init; }

    /// <summary>[nodes, Bins] counts of activations above the minimum, equal-width bins over (min, max].</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<int>))]
    public required int[] Counts { get; init; }
}

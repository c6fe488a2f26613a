using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

/// <summary>k-NN state. Holds reference data: <see cref="Bank"/> is a subsample of the reference features.</summary>
public sealed record KnnState : DetectorState
{
    public int K { get; init; }

    public int BankSize { get; init; }

    public int Seed { get; init; }

    public int Features { get; init; }

    /// <summary>Reference records the bank was drawn from.</summary>
    public int ReferenceCount { get; init; }

    /// <summary>[stored records, Features] L2-normalised reference features.</summary>
    [JsonConverter(typeof(PackedArrayJsonConverter<float>))]
    public required float[] Bank { get; init; }
}

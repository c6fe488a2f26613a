namespace NeuralFP.Core.Activations;

/// <summary>
/// Where <see cref="ActivationExtractor"/> pools each record's taps: the sink hands out the destination per record and
/// layer (an empty span skips it), so a build keeps the records it needs and no more.
/// </summary>
internal interface IActivationSink
{
    /// <summary>Called once, after the first batch shows how many values the model's first output has per record.</summary>
    void Begin(int outputLength);

    /// <summary>Destination of record <paramref name="record"/>'s model output, or empty to skip it.</summary>
    Span<float> Output(int record);

    /// <summary>Destination of record <paramref name="record"/>'s pooled features at tapped layer <paramref name="layer"/>, or empty to skip it.</summary>
    Span<float> Features(int layer, int record);
}

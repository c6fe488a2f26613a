namespace NeuralFP.Edge;

/// <summary>The model a gateway runs is not the one the fingerprint was built for: its verdicts would mean nothing.</summary>
public sealed class ModelMismatchException(string modelId, string expectedSha256, string actualSha256)
    : Exception($"The fingerprint of '{modelId}' was built for model SHA-256 {expectedSha256}, but the model given has SHA-256 {actualSha256}; pull the fingerprint of the model you run.")
{
    public string ModelId { get; } = modelId;
    public string ExpectedSha256 { get; } = expectedSha256;
    public string ActualSha256 { get; } = actualSha256;
}

namespace NeuralFP.Functions.Http;

/// <summary><c>?detector=</c> names no detector of the model's current fingerprint.</summary>
public sealed class UnknownDetectorException(string modelId, string detector, IReadOnlyList<string> available)
    : Exception($"Detector '{detector}' is not available for model '{modelId}'; choose one of: {string.Join(", ", available)} (omit ?detector for the fingerprint).")
{
    public string Detector { get; } = detector;

    public IReadOnlyList<string> Available { get; } = available;
}

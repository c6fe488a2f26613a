namespace NeuralFP.Application.Errors;

/// <summary>
/// The current fingerprint's files cannot be read by this build of the service (e.g. written by an
/// incompatible engine version). Any new trigger for the model rebuilds it from its uploaded files.
/// </summary>
public sealed class FingerprintUnreadableException(string modelId, int version, string reason)
    : Exception($"Model '{modelId}': fingerprint version {version} cannot be read by this version of the service ({reason}). " +
                $"Upload model.onnx or reference.npy again (the same bytes will do) to rebuild it.")
{
    public string ModelId { get; } = modelId;
    public int Version { get; } = version;
}

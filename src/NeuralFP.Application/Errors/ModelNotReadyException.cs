using NeuralFP.Application.Registry;

namespace NeuralFP.Application.Errors;

/// <summary>The model exists but has no fingerprint to score with yet (or its only build failed).</summary>
public sealed class ModelNotReadyException(string modelId, ModelStatus status, string? reason)
    : Exception(Describe(modelId, status, reason))
{
    public string ModelId { get; } = modelId;
    public ModelStatus Status { get; } = status;
    public string? Reason { get; } = reason;

    private static string Describe(string modelId, ModelStatus status, string? reason) => status switch
    {
        ModelStatus.Pending => $"Model '{modelId}' is not ready: it is waiting for both model.onnx and reference.npy to be uploaded.",
        ModelStatus.Fingerprinting => $"Model '{modelId}' is not ready: its fingerprint is being built; retry shortly.",
        ModelStatus.Failed => $"Model '{modelId}' has no fingerprint: the build failed ({reason}). Fix the uploaded files and upload them again.",
        _ => $"Model '{modelId}' is not ready (status {status.ToString().ToLowerInvariant()}).",
    };
}

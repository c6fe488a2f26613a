namespace NeuralFP.Application.Errors;

/// <summary>No model with this id has been uploaded.</summary>
public sealed class ModelNotFoundException(string modelId)
    : Exception($"Model '{modelId}' is unknown: upload models/{modelId}/model.onnx and models/{modelId}/reference.npy first, or list models with GET /api/models.")
{
    public string ModelId { get; } = modelId;
}

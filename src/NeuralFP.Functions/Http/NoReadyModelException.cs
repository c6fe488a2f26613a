namespace NeuralFP.Functions.Http;

public sealed class NoReadyModelException()
    : Exception("No model has a fingerprint yet: upload models/{modelId}/model.onnx and reference.npy and wait until GET /api/models shows it ready.");

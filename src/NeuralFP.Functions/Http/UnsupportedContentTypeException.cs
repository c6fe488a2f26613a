namespace NeuralFP.Functions.Http;

public sealed class UnsupportedContentTypeException(string? contentType)
    : Exception($"Content type '{contentType ?? "(none)"}' is not accepted: send application/json ({{\"records\": [[…], …]}}) or application/x-npy (a float32 .npy file).");

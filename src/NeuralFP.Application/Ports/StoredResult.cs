namespace NeuralFP.Application.Ports;

/// <summary>A batch's results document and the hash of the request that produced it.</summary>
public sealed record StoredResult(byte[] Json, string? RequestSha256);

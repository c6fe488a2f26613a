namespace NeuralFP.Application.Ports;

/// <summary>A downloaded file: its bytes and the version tag (ETag) they were read at.</summary>
public sealed record BlobContent(byte[] Bytes, string ETag);

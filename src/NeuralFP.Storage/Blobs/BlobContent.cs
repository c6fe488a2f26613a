using Azure;

namespace NeuralFP.Storage.Blobs;

/// <summary>A downloaded blob: its bytes and the ETag they were read at.</summary>
public sealed record BlobContent(byte[] Bytes, ETag ETag);

namespace NeuralFP.Application.Ports;

/// <summary>
/// The uploaded inputs of each model (<c>models/{modelId}/</c>: model.onnx, reference.npy, optional fingerprint.json),
/// read with the configured size caps checked before any byte is read.
/// </summary>
public interface IModelFileStore
{
    /// <returns>The file, or null when it does not exist.</returns>
    /// <exception cref="Errors.InputTooLargeException">Larger than its limit.</exception>
    Task<BlobContent?> DownloadModelAsync(string modelId, CancellationToken cancellationToken);

    Task<BlobContent?> DownloadReferenceAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>The reference streamed to a temporary file (hashed on disk), so a build never holds it whole in memory.</summary>
    /// <returns>The file (dispose it to delete it), or null when it does not exist.</returns>
    /// <exception cref="Errors.InputTooLargeException">Larger than its limit.</exception>
    Task<LocalFile?> DownloadReferenceToFileAsync(string modelId, CancellationToken cancellationToken);

    Task<BlobContent?> DownloadOptionsAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>The upload's commit point, <c>manifest.json</c>, or null when there is none.</summary>
    Task<BlobContent?> DownloadManifestAsync(string modelId, CancellationToken cancellationToken);

    Task UploadAsync(string modelId, string fileName, byte[] content, CancellationToken cancellationToken);
}

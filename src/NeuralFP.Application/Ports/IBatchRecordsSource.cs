namespace NeuralFP.Application.Ports;

/// <summary>Reads the .npy blob a queued score request points at (<c>recordsBlob: "container/path.npy"</c>).</summary>
public interface IBatchRecordsSource
{
    /// <exception cref="Errors.InvalidScoreRequestException">The path is not one the service reads, or the blob does not exist.</exception>
    /// <exception cref="Errors.InputTooLargeException">The blob is larger than the batch limit.</exception>
    Task<byte[]> DownloadAsync(string path, CancellationToken cancellationToken);
}

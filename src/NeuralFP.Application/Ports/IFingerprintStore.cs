namespace NeuralFP.Application.Ports;

/// <summary>
/// Fingerprint artifacts under <c>fingerprints/{modelId}/{version}/</c>. A version folder is written completely
/// before the registry is pointed at it, and version numbers are never reused, so readers never see a
/// half-written current artifact.
/// </summary>
public interface IFingerprintStore
{
    Task WriteAsync(string modelId, int version, IReadOnlyDictionary<string, byte[]> files, CancellationToken cancellationToken);

    /// <summary>Every file of one version, by file name; empty when the version does not exist.</summary>
    Task<IReadOnlyDictionary<string, byte[]>> ReadAsync(string modelId, int version, CancellationToken cancellationToken);

    /// <summary>The files of one version (name, length, store tag), ordered by name; empty when the version does not exist.</summary>
    Task<IReadOnlyList<StoredFile>> ListAsync(string modelId, int version, CancellationToken cancellationToken);

    /// <summary>Opens one file of a version for reading as a stream (read in chunks, never whole), pinned to <paramref name="file"/>'s tag.</summary>
    Task<Stream> OpenReadAsync(string modelId, int version, StoredFile file, CancellationToken cancellationToken);

    /// <summary>Removes a version's files (a failed or superseded build); best effort.</summary>
    Task DeleteAsync(string modelId, int version, CancellationToken cancellationToken);

    /// <summary>The folder of one version within the fingerprints container.</summary>
    static string Prefix(string modelId, int version) => $"{modelId}/{version}/";
}

namespace NeuralFP.Application.Ports;

/// <summary>
/// A blob streamed to a temporary file (never held in memory whole), with the SHA-256 of its bytes and the ETag it
/// was read at. Disposing deletes the file.
/// </summary>
public sealed class LocalFile(string path, string sha256, string etag, long length) : IDisposable
{
    public string Path { get; } = path;
    public string Sha256 { get; } = sha256;
    public string ETag { get; } = etag;
    public long Length { get; } = length;

    /// <summary>Opens the file for reading (any number of times, e.g. once per pass of a build).</summary>
    public Stream OpenRead() => new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}

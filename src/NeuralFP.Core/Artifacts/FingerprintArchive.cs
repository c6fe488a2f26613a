using System.IO.Compression;
using System.Text.Json;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Artifacts;

/// <summary>
/// A fingerprint version as one zip archive, the unit an edge gateway downloads: <c>artifact.json</c>
/// (<see cref="ArtifactManifest"/>) first, then the version's files unchanged. Entries are stored uncompressed with a
/// fixed timestamp, so the same files always give the same bytes (the service's ETag is strong) and the scorer's
/// float weights, which barely compress, cost no CPU; each entry carries its CRC-32, so a damaged download fails to read.
/// </summary>
public static class FingerprintArchive
{
    public const string ManifestEntryName = "artifact.json";
    public const string MediaType = "application/zip";
    public const string FileExtension = ".nfp.zip";

    /// <summary>Larger than any fingerprint file a service writes (the scorer holds the model itself); bounds what a reader trusts.</summary>
    public const long MaxEntryBytes = 2L << 30;

    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes the archive to <paramref name="output"/> (which need not be seekable), copying each file from the stream
    /// <paramref name="openFile"/> returns, so no file is held whole in memory.
    /// </summary>
    /// <exception cref="InvalidDataException">A file's stream is not as long as the manifest says (it changed underneath).</exception>
    public static async Task WriteAsync(Stream output, ArtifactManifest manifest, Func<string, CancellationToken, Task<Stream>> openFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(openFile);
        // The zip writer still writes some headers synchronously, which an HTTP response body refuses.
        var sink = new AsyncWriteStream(output);
        var zip = await ZipArchive.CreateAsync(sink, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        await using (var entry = await OpenEntryAsync(zip, ManifestEntryName, cancellationToken).ConfigureAwait(false))
            await JsonSerializer.SerializeAsync(entry, manifest, FingerprintJson.Options, cancellationToken).ConfigureAwait(false);
        foreach (var file in manifest.Files)
        {
            await using var source = await openFile(file.Name, cancellationToken).ConfigureAwait(false);
            await using var entry = await OpenEntryAsync(zip, file.Name, cancellationToken).ConfigureAwait(false);
            var copied = await CopyAsync(source, entry, file.Length, cancellationToken).ConfigureAwait(false);
            if (copied != file.Length)
                throw new InvalidDataException($"'{file.Name}' has {copied} bytes but the archive manifest says {file.Length}; the artifact changed while it was being sent.");
        }
        // Only a complete archive gets its central directory: after a failure the output must not read as a valid zip
        // holding fewer files (the archive is not disposed then; it owns nothing but the caller's stream, left open).
        await zip.DisposeAsync().ConfigureAwait(false);
        await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an archive written by <see cref="WriteAsync"/>: its manifest and the fingerprint it holds.</summary>
    /// <exception cref="InvalidDataException">Not such an archive, damaged, an unknown format, a file missing or of the wrong length, or a fingerprint for another model than the manifest names.</exception>
    public static async Task<(ArtifactManifest Manifest, Fingerprint Fingerprint)> ReadAsync(Stream archive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ZipArchive zip;
        try
        {
            zip = await ZipArchive.CreateAsync(archive, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Not a fingerprint archive (a zip with {ManifestEntryName}): {e.Message}", e);
        }
        await using (zip.ConfigureAwait(false))
        {
            var manifestEntry = zip.GetEntry(ManifestEntryName) ?? throw new InvalidDataException($"The archive has no {ManifestEntryName}; it is not a fingerprint archive.");
            var manifest = ReadManifest(await ReadEntryAsync(manifestEntry, 1 << 20, cancellationToken).ConfigureAwait(false));
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var file in manifest.Files)
            {
                var entry = zip.GetEntry(file.Name) ?? throw new InvalidDataException($"The archive's manifest lists '{file.Name}' but the archive does not hold it.");
                var bytes = await ReadEntryAsync(entry, MaxEntryBytes, cancellationToken).ConfigureAwait(false);
                if (bytes.LongLength != file.Length)
                    throw new InvalidDataException($"'{file.Name}' has {bytes.LongLength} bytes but the archive's manifest says {file.Length}.");
                files[file.Name] = bytes;
            }
            var fingerprint = Fingerprint.FromFiles(files);
            if (!string.Equals(fingerprint.Manifest.ModelSha256, manifest.ModelSha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"The archive says model {manifest.ModelSha256} but its fingerprint was built from model {fingerprint.Manifest.ModelSha256}.");
            return (manifest, fingerprint);
        }
    }

    private static ArtifactManifest ReadManifest(byte[] json)
    {
        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArtifactManifest>(json, FingerprintJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ManifestEntryName} cannot be read: {e.Message}", e);
        }
        if (manifest is null) throw new InvalidDataException($"{ManifestEntryName} is empty.");
        if (manifest.FormatVersion != ArtifactManifest.CurrentFormatVersion)
            throw new InvalidDataException($"Fingerprint archive format {manifest.FormatVersion} is not supported (this build reads format {ArtifactManifest.CurrentFormatVersion}); update the edge library.");
        if (manifest.Files is not { Count: > 0 } || string.IsNullOrEmpty(manifest.ModelSha256))
            throw new InvalidDataException($"{ManifestEntryName} names no files or no model hash.");
        return manifest;
    }

    private static async Task<Stream> OpenEntryAsync(ZipArchive zip, string name, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = FixedTimestamp;
        return await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadEntryAsync(ZipArchiveEntry entry, long maxBytes, CancellationToken cancellationToken)
    {
        if (entry.Length > maxBytes)
            throw new InvalidDataException($"'{entry.FullName}' is {entry.Length} bytes, more than the {maxBytes} a fingerprint file may have.");
        var bytes = new byte[entry.Length];
        await using var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
            throw new InvalidDataException($"'{entry.FullName}' is longer than its zip header says.");
        // The zip reader does not check stored entries' CRC-32; a damaged download must not load.
        if (System.IO.Hashing.Crc32.HashToUInt32(bytes) != entry.Crc32)
            throw new InvalidDataException($"'{entry.FullName}' does not match its CRC-32: the archive is damaged; download it again.");
        return bytes;
    }

    private static async Task<long> CopyAsync(Stream source, Stream destination, long expected, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            copied += read;
            if (copied > expected) return copied;
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return copied;
    }
}

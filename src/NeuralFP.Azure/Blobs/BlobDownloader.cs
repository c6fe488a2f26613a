using Azure;
using global::Azure.Storage.Blobs;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Azure.Resilience;

namespace NeuralFP.Azure.Blobs;

/// <summary>Downloads whole blobs with a size cap checked before any byte is read, through the transfer pipeline.</summary>
internal static class BlobDownloader
{
    /// <returns>The blob, or null when it does not exist.</returns>
    /// <exception cref="InputTooLargeException">The blob is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<BlobContent?> DownloadIfExistsAsync(
        BlobClient blob, long maxBytes, string what, string limitSetting, StorageResilience resilience, CancellationToken cancellationToken)
    {
        try
        {
            return await resilience.Transfer.ExecuteAsync(async ct =>
            {
                var properties = await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
                if (properties.Value.ContentLength > maxBytes)
                    throw new InputTooLargeException(what, properties.Value.ContentLength, maxBytes, limitSetting);
                // Pin the ETag so a blob replaced between the size check and the read is read again, not mixed.
                var content = await blob.DownloadContentAsync(
                    new global::Azure.Storage.Blobs.Models.BlobDownloadOptions { Conditions = new() { IfMatch = properties.Value.ETag } }, ct).ConfigureAwait(false);
                return new BlobContent(content.Value.Content.ToArray(), content.Value.Details.ETag.ToString());
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Replaced while reading: read the new content once more.
            return await DownloadIfExistsAsync(blob, maxBytes, what, limitSetting, resilience, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="DownloadIfExistsAsync"/>, streamed to a temporary file and hashed from disk: memory stays at the SDK's buffers.</summary>
    public static async Task<LocalFile?> DownloadToFileIfExistsAsync(
        BlobClient blob, long maxBytes, string what, string limitSetting, StorageResilience resilience, CancellationToken cancellationToken)
    {
        RemoveFilesOfDeadProcesses();
        var path = Path.Combine(Path.GetTempPath(), $"{TempFilePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}.npy");
        try
        {
            var etag = await resilience.Transfer.ExecuteAsync(async ct =>
            {
                var properties = await blob.GetPropertiesAsync(cancellationToken: ct).ConfigureAwait(false);
                if (properties.Value.ContentLength > maxBytes)
                    throw new InputTooLargeException(what, properties.Value.ContentLength, maxBytes, limitSetting);
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                // Pinned to the ETag that was size-checked, as above.
                var options = new global::Azure.Storage.Blobs.Models.BlobDownloadToOptions { Conditions = new() { IfMatch = properties.Value.ETag } };
                await blob.DownloadToAsync(file, options, ct).ConfigureAwait(false);
                return properties.Value.ETag.ToString();
            }, cancellationToken).ConfigureAwait(false);
            string sha256;
            long length;
            await using (var read = File.OpenRead(path))
            {
                sha256 = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(read, cancellationToken).ConfigureAwait(false));
                length = read.Length;
            }
            return new LocalFile(path, sha256, etag, length);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            File.Delete(path);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            File.Delete(path);
            return await DownloadToFileIfExistsAsync(blob, maxBytes, what, limitSetting, resilience, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private const string TempFilePrefix = "nfp-reference-";

    /// <summary>
    /// A worker killed mid-build cannot delete its reference copy; the next download (by the restarted worker or
    /// another instance on the machine) removes the files whose owning process is gone, so crashes leave no litter.
    /// </summary>
    internal static void RemoveFilesOfDeadProcesses()
    {
        foreach (var file in Directory.EnumerateFiles(Path.GetTempPath(), TempFilePrefix + "*.npy"))
        {
            var name = Path.GetFileName(file.AsSpan())[TempFilePrefix.Length..];
            var dash = name.IndexOf('-');
            if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Another instance removed it first, or it is still open elsewhere: leave it to the next download.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

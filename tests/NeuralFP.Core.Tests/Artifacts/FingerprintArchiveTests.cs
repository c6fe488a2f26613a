using NeuralFP.Core.Artifacts;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tests.Explanations;

namespace NeuralFP.Core.Tests.Artifacts;

[Collection(InputLayerFingerprint.Collection)]
public sealed class FingerprintArchiveTests(InputLayerFingerprint fixture)
{
    private ArtifactManifest Manifest(IReadOnlyDictionary<string, byte[]> files, string? modelSha256 = null) => new(
        ArtifactManifest.CurrentFormatVersion, "cnn", 3, modelSha256 ?? fixture.Fingerprint.Manifest.ModelSha256,
        files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new ArtifactFile(f.Key, f.Value.LongLength)).ToArray());

    private static async Task<byte[]> WriteAsync(ArtifactManifest manifest, IReadOnlyDictionary<string, byte[]> files)
    {
        using var output = new NonSeekableStream();
        await FingerprintArchive.WriteAsync(output, manifest, (name, _) => Task.FromResult<Stream>(new MemoryStream(files[name])));
        return output.ToArray();
    }

    [Fact]
    public async Task Round_trip_through_a_non_seekable_stream_gives_the_same_files_and_the_same_bytes_every_time()
    {
        var files = fixture.Fingerprint.ToFiles();
        var manifest = Manifest(files);
        var archive = await WriteAsync(manifest, files);
        Assert.Equal(archive, await WriteAsync(manifest, files)); // deterministic: a strong ETag may stand for the bytes

        var (read, fingerprint) = await FingerprintArchive.ReadAsync(new MemoryStream(archive));
        Assert.Equal(manifest.ModelId, read.ModelId);
        Assert.Equal(manifest.Version, read.Version);
        Assert.Equal(manifest.Files, read.Files);
        Assert.Equal(fixture.Fingerprint.ScorerOnnx, fingerprint.ScorerOnnx);
        Assert.Equal(fixture.Fingerprint.Manifest.Rule.Upper, fingerprint.Manifest.Rule.Upper);
    }

    [Fact]
    public async Task A_damaged_archive_is_refused()
    {
        var files = fixture.Fingerprint.ToFiles();
        var archive = await WriteAsync(Manifest(files), files);
        // Flip one byte in the middle of scorer.onnx (stored uncompressed): its CRC-32 no longer matches.
        var damaged = (byte[])archive.Clone();
        damaged[archive.Length / 2] ^= 0x5A;
        await Assert.ThrowsAsync<InvalidDataException>(() => FingerprintArchive.ReadAsync(new MemoryStream(damaged)));
        await Assert.ThrowsAsync<InvalidDataException>(() => FingerprintArchive.ReadAsync(new MemoryStream(archive[..(archive.Length / 3)])));
        await Assert.ThrowsAsync<InvalidDataException>(() => FingerprintArchive.ReadAsync(new MemoryStream("not a zip"u8.ToArray())));
    }

    [Fact]
    public async Task An_archive_whose_manifest_names_another_model_is_refused()
    {
        var files = fixture.Fingerprint.ToFiles();
        var archive = await WriteAsync(Manifest(files, modelSha256: new string('0', 64)), files);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => FingerprintArchive.ReadAsync(new MemoryStream(archive)));
        Assert.Contains("built from model", error.Message);
    }

    [Fact]
    public async Task A_file_that_changed_length_while_being_sent_fails_the_write()
    {
        var files = fixture.Fingerprint.ToFiles();
        var manifest = Manifest(files);
        var shorter = new Dictionary<string, byte[]>(files) { [Fingerprint.ScorerFileName] = files[Fingerprint.ScorerFileName][..100] };
        using var output = new NonSeekableStream();
        await Assert.ThrowsAsync<InvalidDataException>(() =>
            FingerprintArchive.WriteAsync(output, manifest, (name, _) => Task.FromResult<Stream>(new MemoryStream(shorter[name]))));
        // What was sent before the failure must not read as an archive with fewer files.
        await Assert.ThrowsAsync<InvalidDataException>(() => FingerprintArchive.ReadAsync(new MemoryStream(output.ToArray())));
    }

    /// <summary>An HTTP response body: write-only, asynchronous only, no seeking, no length.</summary>
    private sealed class NonSeekableStream : Stream
    {
        private readonly MemoryStream _written = new();

        public byte[] ToArray() => _written.ToArray();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        // Like an HTTP response body: synchronous writes are refused.
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _written.WriteAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _written.WriteAsync(buffer, cancellationToken);
    }
}

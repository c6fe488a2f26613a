namespace NeuralFP.Core.Artifacts;

/// <summary>
/// Write-only wrapper that never writes synchronously to the stream it wraps (an HTTP response body forbids that):
/// synchronous writes are held and go out, in order, with the next asynchronous write or flush. The zip writer makes
/// a few such writes (the 16-byte data descriptor after each entry), so what is held stays tiny.
/// </summary>
internal sealed class AsyncWriteStream(Stream inner) : Stream
{
    private readonly MemoryStream _held = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => _held.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _held.Write(buffer);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendHeldAsync(cancellationToken).ConfigureAwait(false);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // Nothing to do synchronously: held bytes go out with the next asynchronous call.
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private async ValueTask SendHeldAsync(CancellationToken cancellationToken)
    {
        if (_held.Length == 0) return;
        await inner.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), cancellationToken).ConfigureAwait(false);
        _held.SetLength(0);
    }
}

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NeuralFP.LocalHost.Http;

/// <summary>
/// Gives Kestrel's own rejections a problem+json body. A request line that is malformed (400, or 505 for an unknown
/// version) or too long (414), or
/// headers over the limits (431), are answered by Kestrel's HTTP/1.1 parser before any middleware runs, with an empty
/// body, and Kestrel has no hook to change that answer. This connection middleware sits under the parser: it passes
/// every flush through unchanged except one that is exactly such a rejection (status 400, 414, 431 or 505, no body,
/// <c>Content-Length: 0</c> and <c>Connection: close</c>, which is how Kestrel ends a connection it rejected), whose
/// body it fills with a problem naming the limit.
/// </summary>
internal static class RejectionProblemWriter
{
    public static void Use(ListenOptions listen, KestrelServerLimits limits) =>
        listen.Use(next => connection =>
        {
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(transport.Input, new Writer(transport.Output, limits));
            return next(connection);
        });

    /// <summary>The rejection's problem+json response in place of <paramref name="flushed"/>, or null when it is not one.</summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> flushed, KestrelServerLimits limits)
    {
        // "HTTP/1.1 431 Request Header Fields Too Large\r\n...\r\n\r\n", headers only.
        if (flushed.Length > 1024 || !(flushed.StartsWith("HTTP/1.1 4"u8) || flushed.StartsWith("HTTP/1.1 505"u8)) || !flushed.EndsWith("\r\n\r\n"u8)) return null;
        var head = Encoding.ASCII.GetString(flushed);
        if (!head.Contains("\r\nContent-Length: 0\r\n", StringComparison.Ordinal) || !head.Contains("\r\nConnection: close\r\n", StringComparison.Ordinal))
            return null;
        var (status, title, detail) = head.AsSpan(9, 3) switch
        {
            "400" => (400, "Bad Request",
                "The request could not be parsed: its request line (method, target and HTTP version, separated by single spaces), a header or the body's framing is malformed."),
            "414" => (414, "URI Too Long",
                string.Create(CultureInfo.InvariantCulture, $"The request line (method, target and HTTP version) is longer than {limits.MaxRequestLineSize:N0} bytes: keep the query short and send records in the body.")),
            "431" => (431, "Request Header Fields Too Large",
                string.Create(CultureInfo.InvariantCulture, $"The request headers are over {limits.MaxRequestHeadersTotalSize:N0} bytes in total or more than {limits.MaxRequestHeaderCount} headers.")),
            "505" => (505, "HTTP Version Not Supported",
                "The request line names an HTTP version this endpoint does not speak: use HTTP/1.1 (or HTTP/1.0)."),
            _ => (0, "", ""),
        };
        if (status == 0) return null;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        });
        var headers = head.Replace("\r\nContent-Length: 0\r\n", $"\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n", StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(headers), .. body];
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>Collects what Kestrel writes until it flushes, then passes it on (rewritten when it is a rejection).</summary>
    private sealed class Writer(PipeWriter inner, KestrelServerLimits limits) : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _pending = new(4096);

        public override void Advance(int bytes) => _pending.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);
        public override bool CanGetUnflushedBytes => true;
        public override long UnflushedBytes => _pending.WrittenCount;
        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            PassOn();
            return inner.FlushAsync(cancellationToken);
        }

        public override void Complete(Exception? exception = null)
        {
            PassOn();
            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            PassOn();
            await inner.CompleteAsync(exception).ConfigureAwait(false);
        }

        private void PassOn()
        {
            if (_pending.WrittenCount == 0) return;
            var written = _pending.WrittenSpan;
            inner.Write(Rewrite(written, limits) ?? written);
            _pending.ResetWrittenCount();
        }
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Reading a stream checks the header's promised size against the caller's limit and the bytes actually there.</summary>
public sealed class NpyStreamLimitTests
{
    [Fact]
    public void A_file_over_the_limit_is_refused_naming_the_limit()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy"); // 128-byte header + 48 data bytes

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(bytes), maxBytes: 150));

        Assert.Contains("limit of 150 bytes", e.Message);
        Assert.Contains("176", e.Message);
    }

    [Fact]
    public void A_file_exactly_at_the_limit_is_read()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");

        var tensor = Npy.Read(new MemoryStream(bytes), maxBytes: bytes.Length);

        Assert.Equal([3, 4], tensor.Shape);
    }

    [Fact]
    public void A_header_claiming_a_huge_array_is_refused_by_the_limit_before_allocation()
    {
        byte[] bytes = WithShape(NpyFixtures.Bytes("float32.npy"), "(3, 4)", "(400000000, 4)");

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(bytes), maxBytes: 1 << 20));

        Assert.Contains("limit of 1048576 bytes", e.Message);
        Assert.Contains("6400000", e.Message);
    }

    [Fact]
    public void A_lying_header_on_a_forward_only_stream_fails_as_truncated_without_allocating_the_claim()
    {
        // 1.6 GB promised, 48 bytes present; the reader must not allocate the promise up front.
        byte[] bytes = WithShape(NpyFixtures.Bytes("float32.npy"), "(3, 4)", "(100000000, 4)");
        using var stream = ForwardOnly(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(stream));

        Assert.Contains("truncated", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated as much as the header claimed");
    }

    [Fact]
    public void A_forward_only_stream_is_read_completely()
    {
        var original = new FloatTensor([.. Enumerable.Range(0, 50_000).Select(i => i * 0.5f)], [10_000, 5]);
        using var stream = ForwardOnly(Npy.ToBytes(original));

        var tensor = Npy.Read(stream);

        Assert.Equal(original.Shape, tensor.Shape);
        Assert.Equal(original.Data, tensor.Data);
    }

    [Fact]
    public void Trailing_bytes_on_a_forward_only_stream_are_refused()
    {
        using var stream = ForwardOnly([.. NpyFixtures.Bytes("float32.npy"), 9]);

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(stream));

        Assert.Contains("after the data", e.Message);
    }

    private static byte[] WithShape(byte[] npy, string find, string replace)
    {
        // Rewrites the dictionary and its length field (version 1 header at offset 8).
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8));
        string header = Encoding.Latin1.GetString(npy, 10, headerLength).Replace(find, replace, StringComparison.Ordinal);
        byte[] newHeader = Encoding.Latin1.GetBytes(header);
        byte[] result = [.. npy.AsSpan(0, 10), .. newHeader, .. npy.AsSpan(10 + headerLength)];
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)newHeader.Length);
        return result;
    }

    /// <summary>A real non-seekable stream (like an HTTP body): gzip decompression of the bytes.</summary>
    private static Stream ForwardOnly(byte[] bytes)
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        compressed.Position = 0;
        var stream = new GZipStream(compressed, CompressionMode.Decompress);
        Assert.False(stream.CanSeek);
        return stream;
    }
}

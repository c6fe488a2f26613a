using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuralFP.Core.Tensors;

/// <summary>
/// Reads and writes NumPy .npy files: format versions 1.0, 2.0 and 3.0 (3.0 is 2.0 with a UTF-8 header).
/// Reads C-ordered little-endian float32, float64, uint8, int32 and int64 arrays, converting them to float32;
/// writes float32 with a version 1.0 header.
/// </summary>
public static class Npy
{
    /// <summary>The longest header accepted. numpy writes a few hundred bytes; more is a malformed or hostile file.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    // numpy aligns the data to 64 bytes so it can be memory-mapped; we do the same on write.
    private const int DataAlignment = 64;
    private const int ChunkBytes = 64 * 1024;
    private const int MagicLength = 6;
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole .npy file held in memory.</summary>
    /// <exception cref="NpyFormatException">The bytes are not a well-formed, supported .npy file.</exception>
    public static FloatTensor Read(ReadOnlySpan<byte> bytes) => Read(bytes, static count => new float[count]);

    /// <summary>
    /// Reads a whole .npy file held in memory into an array from <paramref name="allocate"/> (given the value count; it
    /// must return an array of exactly that length, e.g. from <see cref="FloatArrayPool"/>), which is filled entirely.
    /// </summary>
    /// <exception cref="NpyFormatException">The bytes are not a well-formed, supported .npy file.</exception>
    public static FloatTensor Read(ReadOnlySpan<byte> bytes, Func<int, float[]> allocate)
    {
        ArgumentNullException.ThrowIfNull(allocate);
        EnsureLittleEndianHost();
        if (bytes.Length < 10)
            throw TooShort(bytes.Length);

        var (preambleLength, isUtf8) = ReadVersion(bytes);
        if (bytes.Length < preambleLength)
            throw TooShort(bytes.Length);
        long headerLength = ReadHeaderLength(bytes, preambleLength);
        if (bytes.Length - preambleLength < headerLength)
            throw new NpyFormatException(
                $"The .npy file is truncated: its header should be {headerLength} bytes but only {bytes.Length - preambleLength} follow the preamble.");

        var layout = ParseHeader(bytes.Slice(preambleLength, (int)headerLength), isUtf8);
        long available = bytes.Length - preambleLength - headerLength;
        CheckDataLength(layout, available);

        var data = allocate(checked((int)layout.Count));
        if (data.Length != layout.Count)
            throw new ArgumentException($"The allocator returned {data.Length} values for {layout.Count}.", nameof(allocate));
        layout.Dtype.ConvertToSingle(bytes.Slice(preambleLength + (int)headerLength, (int)layout.DataBytes), data);
        return new FloatTensor(data, layout.Shape);
    }

    /// <summary>Reads a .npy file from a stream with no size limit other than what a float32 array can hold.</summary>
    /// <remarks>For untrusted input prefer <see cref="Read(Stream, long)"/>, which refuses oversized files before allocating.</remarks>
    public static FloatTensor Read(Stream stream) => Read(stream, long.MaxValue);

    /// <summary>
    /// Reads a .npy file from a stream, refusing (before allocating or reading the data) any file whose header
    /// declares more than <paramref name="maxBytes"/> bytes in all. The stream must end where the data ends.
    /// </summary>
    /// <exception cref="NpyFormatException">Malformed, unsupported, truncated, followed by extra bytes, or over the limit.</exception>
    public static FloatTensor Read(Stream stream, long maxBytes)
    {
        var layout = ReadLayout(stream, maxBytes);
        float[] data = ReadData(stream, layout);
        return new FloatTensor(data, layout.Shape);
    }

    /// <summary>
    /// Reads the preamble and header, leaving the stream at the first data byte; refuses a file whose header declares
    /// more than <paramref name="maxBytes"/> bytes in all (before any data is read).
    /// </summary>
    /// <exception cref="NpyFormatException">Malformed, unsupported, truncated header, or over the limit.</exception>
    internal static NpyLayout ReadLayout(Stream stream, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        EnsureLittleEndianHost();

        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false);
        if (got < 10)
            throw TooShort(got);
        var (preambleLength, isUtf8) = ReadVersion(preamble);
        if (preambleLength > 10)
        {
            got += stream.ReadAtLeast(preamble[10..preambleLength], preambleLength - 10, throwOnEndOfStream: false);
            if (got < preambleLength)
                throw TooShort(got);
        }
        long headerLength = ReadHeaderLength(preamble, preambleLength);
        if (preambleLength + headerLength > maxBytes)
            throw OverLimit(preambleLength + headerLength, maxBytes, "its header alone");

        var header = new byte[headerLength];
        int headerRead = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (headerRead < header.Length)
            throw new NpyFormatException(
                $"The .npy file is truncated: its header should be {headerLength} bytes but only {headerRead} follow the preamble.");

        var layout = ParseHeader(header, isUtf8);
        long total = preambleLength + headerLength + layout.DataBytes;
        if (total > maxBytes)
            throw OverLimit(total, maxBytes, $"shape {NpyHeader.FormatShape(layout.Dimensions)} of '{layout.Dtype.Descr}'");
        return layout;
    }

    /// <summary>Converts the next <paramref name="destination"/>.Length values of the data into float32, reading no further.</summary>
    /// <exception cref="NpyFormatException">The stream ends first.</exception>
    internal static void ReadValues(Stream stream, NpyLayout layout, long valuesBefore, Span<float> destination)
    {
        int itemSize = layout.Dtype.ItemSize;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int done = 0; done < destination.Length;)
            {
                int elements = Math.Min(ChunkBytes / itemSize, destination.Length - done);
                int want = elements * itemSize;
                int got = stream.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (got < want)
                    CheckDataLength(layout, (valuesBefore + done) * itemSize + got);
                layout.Dtype.ConvertToSingle(chunk.AsSpan(0, want), destination.Slice(done, elements));
                done += elements;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>After the last value: anything more in the stream means the header and the data disagree.</summary>
    internal static void RequireEnd(Stream stream, NpyLayout layout)
    {
        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) > 0)
            CheckDataLength(layout, layout.DataBytes + 1);
    }

    /// <summary>Writes a float32 .npy file (version 1.0 header, data aligned to 64 bytes).</summary>
    public static void Write(Stream stream, FloatTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureLittleEndianHost();
        stream.Write(BuildHeader(tensor.Shape));
        stream.Write(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
    }

    /// <summary>The bytes <see cref="Write"/> would produce.</summary>
    public static byte[] ToBytes(FloatTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        EnsureLittleEndianHost();
        byte[] header = BuildHeader(tensor.Shape);
        var bytes = new byte[header.Length + (long)tensor.Data.Length * sizeof(float)];
        header.CopyTo(bytes, 0);
        MemoryMarshal.AsBytes(tensor.Data.AsSpan()).CopyTo(bytes.AsSpan(header.Length));
        return bytes;
    }

    private static byte[] BuildHeader(int[] shape)
    {
        string dict = new NpyHeader("<f4", false, [.. shape.Select(d => (long)d)]).Format();
        int dictBytes = Encoding.ASCII.GetByteCount(dict) + 1; // + the terminating '\n'
        int padded = PaddedHeaderLength(10, dictBytes);
        bool v1 = padded <= ushort.MaxValue; // version 2.0 only when a (huge-rank) header would not fit 16 bits
        int preambleLength = v1 ? 10 : 12;
        if (!v1) padded = PaddedHeaderLength(12, dictBytes);

        var header = new byte[preambleLength + padded];
        Magic.CopyTo(header);
        header[6] = v1 ? (byte)1 : (byte)2;
        header[7] = 0;
        if (v1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)padded);
        else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)padded);
        int written = Encoding.ASCII.GetBytes(dict, header.AsSpan(preambleLength));
        header.AsSpan(preambleLength + written, padded - written - 1).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return header;
    }

    private static int PaddedHeaderLength(int preambleLength, int dictBytes) =>
        (preambleLength + dictBytes + DataAlignment - 1) / DataAlignment * DataAlignment - preambleLength;

    private static (int PreambleLength, bool IsUtf8) ReadVersion(ReadOnlySpan<byte> bytes)
    {
        if (!bytes[..MagicLength].SequenceEqual(Magic))
            throw new NpyFormatException(
                "Not a .npy file: it does not start with the magic bytes \\x93NUMPY. Send an array written by numpy.save (or Content-Type application/json for JSON records).");
        byte major = bytes[6], minor = bytes[7];
        return (major, minor) switch
        {
            (1, 0) => (10, false),
            (2, 0) => (12, false),
            (3, 0) => (12, true),
            _ => throw new NpyFormatException(
                $"Unsupported .npy format version {major}.{minor}; NeuralFP reads versions 1.0, 2.0 and 3.0 (what numpy.save writes)."),
        };
    }

    private static long ReadHeaderLength(ReadOnlySpan<byte> bytes, int preambleLength)
    {
        long length = preambleLength == 10
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (length > MaxHeaderBytes)
            throw new NpyFormatException(
                $"The .npy header is {length} bytes, more than the {MaxHeaderBytes} accepted; numpy writes headers of a few hundred bytes, so the file is malformed.");
        return length;
    }

    private static NpyLayout ParseHeader(ReadOnlySpan<byte> headerBytes, bool isUtf8)
    {
        string text;
        try
        {
            text = isUtf8
                ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes)
                : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new NpyFormatException("The .npy header (version 3.0) is not valid UTF-8.");
        }

        var header = NpyHeader.Parse(text);
        var dtype = NpyDtype.Parse(header.Descr);
        if (header.FortranOrder)
            throw new NpyFormatException(
                "The .npy array is in Fortran (column-major) order; NeuralFP reads C order. Re-save it with np.save(path, np.ascontiguousarray(x)).");

        long count = 1;
        var shape = new int[header.Shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = header.Shape[i];
            if (d > int.MaxValue || (d > 0 && count > Array.MaxLength / d))
                throw new NpyFormatException(
                    $"The .npy shape {NpyHeader.FormatShape(header.Shape)} holds more values than one array can ({Array.MaxLength}). Split it into smaller files.");
            count *= d;
            shape[i] = (int)d;
        }
        return new NpyLayout(dtype, shape, header.Shape, (int)count, count * dtype.ItemSize);
    }

    internal static void CheckDataLength(NpyLayout layout, long available)
    {
        if (available < layout.DataBytes)
            throw new NpyFormatException(
                $"The .npy file is truncated: shape {NpyHeader.FormatShape(layout.Dimensions)} of '{layout.Dtype.Descr}' needs {layout.DataBytes} data bytes but only {available} follow the header.");
        if (available > layout.DataBytes)
            throw new NpyFormatException(
                $"The .npy file has {available - layout.DataBytes} bytes after the data that shape {NpyHeader.FormatShape(layout.Dimensions)} of '{layout.Dtype.Descr}' describes ({layout.DataBytes} bytes); the header and the data disagree.");
    }

    private static float[] ReadData(Stream stream, NpyLayout layout)
    {
        // A seekable stream lets us compare the header's promise with what is there before allocating.
        // Otherwise the destination grows with the data actually read, so a lying header cannot make us
        // allocate far more than the stream holds.
        bool knownLength = stream.CanSeek;
        if (knownLength)
            CheckDataLength(layout, stream.Length - stream.Position);

        int itemSize = layout.Dtype.ItemSize;
        float[] data = new float[knownLength ? layout.Count : Math.Min(layout.Count, ChunkBytes)];
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long done = 0;
            while (done < layout.Count)
            {
                int elements = (int)Math.Min(ChunkBytes / itemSize, layout.Count - done);
                int want = elements * itemSize;
                int got = stream.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (got < want)
                    CheckDataLength(layout, done * itemSize + got);
                if (done + elements > data.Length)
                    Array.Resize(ref data, (int)Math.Min(layout.Count, Math.Max(done + elements, 2L * data.Length)));
                layout.Dtype.ConvertToSingle(chunk.AsSpan(0, want), data.AsSpan((int)done, elements));
                done += elements;
            }

            if (!knownLength)
            {
                int extra = stream.Read(chunk.AsSpan(0, ChunkBytes));
                if (extra > 0)
                    CheckDataLength(layout, layout.DataBytes + extra);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return data;
    }

    private static NpyFormatException TooShort(int length) =>
        new($"Not a .npy file: {length} bytes is shorter than the .npy preamble (magic, version, header length).");

    private static NpyFormatException OverLimit(long declared, long maxBytes, string what) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"The .npy file is too large: {what} declares {declared} bytes, over the limit of {maxBytes} bytes. Send fewer records per request."));

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException(".npy reading and writing assume a little-endian machine.");
    }

    internal sealed record NpyLayout(NpyDtype Dtype, int[] Shape, long[] Dimensions, int Count, long DataBytes);
}

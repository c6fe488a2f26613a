using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace NeuralFP.Core.Tensors;

/// <summary>A supported .npy <c>descr</c>: its element kind and size, and the conversion to float32.</summary>
internal readonly record struct NpyDtype(NpyElementKind Kind, int ItemSize, string Descr)
{
    public const string Accepted = "float32 ('<f4'), float64 ('<f8'), uint8 ('|u1'), int32 ('<i4') and int64 ('<i8'), little-endian, C order";

    /// <summary>Maps a <c>descr</c> string to a supported dtype, or throws saying why it is refused.</summary>
    public static NpyDtype Parse(string descr)
    {
        if (descr.Length < 2)
            throw Unsupported(descr);

        char order = descr[0];
        string type = descr[1..];
        if (type is "O" or "O8" or "O4")
            throw new NpyFormatException(
                $"The .npy file holds an object array (dtype '{descr}', pickled Python objects), which cannot be read safely. Save a numeric array instead, e.g. np.save(path, np.asarray(x, dtype=np.float32)).");

        (NpyElementKind kind, int size)? known = type switch
        {
            "f4" => (NpyElementKind.Float32, 4),
            "f8" => (NpyElementKind.Float64, 8),
            "u1" => (NpyElementKind.UInt8, 1),
            "i4" => (NpyElementKind.Int32, 4),
            "i8" => (NpyElementKind.Int64, 8),
            _ => null,
        };
        if (known is not { } k || order is not ('<' or '>' or '|' or '='))
            throw Unsupported(descr);

        // One-byte types have no byte order; wider ones must be little-endian ('=' is the writer's native order,
        // which numpy only emits on little-endian machines in practice).
        if (k.size > 1 && order == '>')
            throw new NpyFormatException(
                $"The .npy file is big-endian (dtype '{descr}'). Re-save it little-endian, e.g. np.save(path, x.astype('<{type}')).");
        if (k.size > 1 && order == '|')
            throw Unsupported(descr);

        return new NpyDtype(k.kind, k.size, descr);
    }

    private static NpyFormatException Unsupported(string descr) =>
        new($"The .npy dtype '{descr}' is not supported; NeuralFP reads {Accepted}. Convert first, e.g. x.astype(np.float32).");

    /// <summary>Converts whole little-endian elements in <paramref name="raw"/> to float32.</summary>
    public void ConvertToSingle(ReadOnlySpan<byte> raw, Span<float> destination)
    {
        switch (Kind)
        {
            case NpyElementKind.Float32:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(destination);
                break;
            case NpyElementKind.Float64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(raw), destination);
                break;
            case NpyElementKind.UInt8:
                TensorPrimitives.ConvertTruncating(raw, destination);
                break;
            case NpyElementKind.Int32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(raw), destination);
                break;
            case NpyElementKind.Int64:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(raw), destination);
                break;
            default:
                throw new InvalidOperationException($"Unhandled element kind {Kind}.");
        }
    }
}

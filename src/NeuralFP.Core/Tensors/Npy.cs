namespace NeuralFP.Core.Tensors;

/// <summary>Reads and writes NumPy .npy files (format versions 1 and 2).</summary>
public static class Npy
{
    /// <summary>Reads a C-ordered float32/float64/uint8/int64 array as float32.</summary>
    /// <exception cref="NpyFormatException">The bytes are not a well-formed, supported .npy file.</exception>
    public static FloatTensor Read(ReadOnlySpan<byte> bytes) => throw new NotImplementedException();

    public static FloatTensor Read(Stream stream) => throw new NotImplementedException();

    /// <summary>Writes a float32 .npy (version 1 header).</summary>
    public static void Write(Stream stream, FloatTensor tensor) => throw new NotImplementedException();

    public static byte[] ToBytes(FloatTensor tensor) => throw new NotImplementedException();
}

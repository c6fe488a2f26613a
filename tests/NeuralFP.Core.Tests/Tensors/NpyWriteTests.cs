using System.Buffers.Binary;
using System.Text;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Writing gives numpy's own bytes: version 1 header padded so data starts on a 64-byte boundary, ending in '\n'.</summary>
public sealed class NpyWriteTests
{
    public static TheoryData<int[]> Shapes => new() { new int[0], new[] { 0, 3 }, new[] { 7 }, new[] { 2, 3 }, new[] { 2, 1, 28, 28 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Round_trips_shape_and_values(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        float[] data = [.. Enumerable.Range(0, count).Select(i => MathF.Sin(i) * 1e3f)];
        var original = new FloatTensor(data, shape);

        var fromBytes = Npy.Read(Npy.ToBytes(original));
        var stream = new MemoryStream();
        Npy.Write(stream, original);
        stream.Position = 0;
        var fromStream = Npy.Read(stream);

        Assert.Equal(shape, fromBytes.Shape);
        Assert.Equal(data, fromBytes.Data);
        Assert.Equal(shape, fromStream.Shape);
        Assert.Equal(data, fromStream.Data);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Data_starts_on_a_64_byte_boundary_after_a_newline(int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        byte[] bytes = Npy.ToBytes(new FloatTensor(new float[count], shape));

        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        int dataStart = 10 + headerLength;

        Assert.Equal(1, bytes[6]);
        Assert.Equal(0, dataStart % 64);
        Assert.Equal((byte)'\n', bytes[dataStart - 1]);
        Assert.Equal(dataStart + count * 4, bytes.Length);
    }

    [Theory]
    [InlineData("float32.npy")]
    [InlineData("scalar_float32.npy")]
    [InlineData("empty_float32.npy")]
    public void Output_is_byte_identical_to_numpy_save(string name)
    {
        byte[] numpy = NpyFixtures.Bytes(name);

        byte[] ours = Npy.ToBytes(Npy.Read(numpy));

        Assert.Equal(Encoding.Latin1.GetString(numpy, 0, 128), Encoding.Latin1.GetString(ours, 0, 128));
        Assert.Equal(numpy, ours);
    }
}

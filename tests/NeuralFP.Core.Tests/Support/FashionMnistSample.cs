using System.Buffers.Binary;
using System.IO.Compression;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Support;

/// <summary>The first test images of Fashion-MNIST as [N,1,28,28] floats x/255 (stand-in for tests/Shared/FashionMnist).</summary>
internal static class FashionMnistSample
{
    private const string Path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

    private static readonly Lazy<byte[]> Pixels = new(() =>
    {
        using var gzip = new GZipStream(File.OpenRead(Path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{Path} is not an IDX image file.");
        return bytes[16..];
    });

    public static FloatTensor Images(int count)
    {
        var pixels = Pixels.Value;
        var data = new float[count * 784];
        for (var i = 0; i < data.Length; i++) data[i] = pixels[i] / 255f;
        return new FloatTensor(data, [count, 1, 28, 28]);
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// Fashion-MNIST from the Debian package's IDX files: images as [N,1,28,28] float32 scaled x/255 (no
/// mean/std normalisation, as tools/build_models.py trains), labels 0..9.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const int Side = 28;
    public const int Classes = 10;

    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;

    private static readonly Lazy<LabeledImages> TrainSet = new(() => Load("train"));
    private static readonly Lazy<LabeledImages> TestSet = new(() => Load("t10k"));

    /// <summary>The 60,000 training images (cached after the first call).</summary>
    public static LabeledImages Train() => TrainSet.Value;

    /// <summary>The 10,000 test images (cached after the first call).</summary>
    public static LabeledImages Test() => TestSet.Value;

    /// <summary>Loads one split ("train" or "t10k") from <paramref name="directory"/>.</summary>
    public static LabeledImages Load(string split, string directory = DefaultDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(split);
        var images = ReadIdx(Path.Combine(directory, $"{split}-images-idx3-ubyte.gz"), ImageMagic, out var imageDims);
        var labels = ReadIdx(Path.Combine(directory, $"{split}-labels-idx1-ubyte.gz"), LabelMagic, out var labelDims);
        if (imageDims.Length != 3 || imageDims[1] != Side || imageDims[2] != Side)
            throw new InvalidDataException($"{split} images have shape [{string.Join(",", imageDims)}]; expected [N,28,28].");
        if (labelDims[0] != imageDims[0])
            throw new InvalidDataException($"{split} has {imageDims[0]} images but {labelDims[0]} labels.");

        var pixels = new float[images.Length];
        for (var i = 0; i < images.Length; i++)
            pixels[i] = images[i] / 255f;
        var classes = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
            classes[i] = labels[i];
        return new LabeledImages(new FloatTensor(pixels, [imageDims[0], 1, Side, Side]), classes);
    }

    private static byte[] ReadIdx(string path, int expectedMagic, out int[] dims)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Fashion-MNIST file {path} is missing. Install it with `apt-get install dataset-fashion-mnist`.", path);

        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);

        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new InvalidDataException($"{path} starts with magic 0x{magic:X8}; expected IDX magic 0x{expectedMagic:X8}.");
        dims = new int[magic & 0xFF];
        long count = 1;
        for (var d = 0; d < dims.Length; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
            count *= dims[d];
        }
        var header = 4 + 4 * dims.Length;
        if (bytes.Length - header != count)
            throw new InvalidDataException($"{path} declares {count} values but holds {bytes.Length - header}.");
        return bytes[header..].ToArray();
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Decodes the 8-bit RGB/RGBA, non-interlaced PNGs Chromium writes, so a test can look at pixels.</summary>
internal sealed class PngImage
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    private readonly byte[] _pixels; // RGBA, row-major

    private PngImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 4;
            return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
        }
    }

    public static PngImage Load(string path) => Decode(File.ReadAllBytes(path), path);

    public static PngImage Decode(byte[] data, string name = "data")
    {
        if (data.Length < 8 || !data.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidDataException($"{name} is not a PNG file.");
        }

        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (int offset = 8; offset < data.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(data, offset + 4, 4);
            var body = data.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                byte bitDepth = body[8], colorType = body[9], interlace = body[12];
                if (bitDepth != 8 || interlace != 0 || (colorType != 2 && colorType != 6))
                {
                    throw new NotSupportedException($"PNG with bit depth {bitDepth}, colour type {colorType}, interlace {interlace}.");
                }

                channels = colorType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                compressed.Write(body);
            }
            else if (type == "IEND")
            {
                break;
            }

            offset += 12 + length;
        }

        compressed.Position = 0;
        using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        return new PngImage(width, height, Unfilter(raw.ToArray(), width, height, channels));
    }

    /// <summary>Pixels within <paramref name="tolerance"/> (per channel) of a colour.</summary>
    public int Count((byte R, byte G, byte B) colour, int tolerance)
    {
        int count = 0;
        for (int i = 0; i < _pixels.Length; i += 4)
        {
            if (Math.Abs(_pixels[i] - colour.R) <= tolerance
                && Math.Abs(_pixels[i + 1] - colour.G) <= tolerance
                && Math.Abs(_pixels[i + 2] - colour.B) <= tolerance)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>How many different colours the rectangle holds, and the standard deviation of its luma (0–255).</summary>
    public (int Colours, double LumaSpread) Variety(int x, int y, int width, int height)
    {
        var colours = new HashSet<int>();
        double sum = 0, sumSquares = 0;
        int n = 0;
        for (int row = Math.Max(0, y); row < Math.Min(Height, y + height); row++)
        {
            for (int column = Math.Max(0, x); column < Math.Min(Width, x + width); column++)
            {
                var (r, g, b) = this[column, row];
                colours.Add(r << 16 | g << 8 | b);
                double luma = 0.299 * r + 0.587 * g + 0.114 * b;
                sum += luma;
                sumSquares += luma * luma;
                n++;
            }
        }

        if (n == 0) return (0, 0);
        double mean = sum / n;
        return (colours.Count, Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean)));
    }

    /// <summary>Mean luma (0–255) of a rectangle.</summary>
    public double MeanLuma(int x, int y, int width, int height)
    {
        double sum = 0;
        int n = 0;
        for (int row = y; row < y + height; row++)
        {
            for (int column = x; column < x + width; column++)
            {
                var (r, g, b) = this[column, row];
                sum += 0.299 * r + 0.587 * g + 0.114 * b;
                n++;
            }
        }

        return sum / Math.Max(1, n);
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        int stride = width * channels;
        var current = new byte[stride];
        var previous = new byte[stride];
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            byte filter = raw[rowStart];
            for (int i = 0; i < stride; i++)
            {
                int left = i >= channels ? current[i - channels] : 0;
                int up = previous[i];
                int upLeft = i >= channels ? previous[i - channels] : 0;
                int value = raw[rowStart + 1 + i];
                current[i] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + left,
                    2 => value + up,
                    3 => value + ((left + up) >> 1),
                    4 => value + Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"Unknown PNG filter {filter} on row {y}."),
                });
            }

            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 4;
                rgba[o] = current[x * channels];
                rgba[o + 1] = current[x * channels + 1];
                rgba[o + 2] = current[x * channels + 2];
                rgba[o + 3] = channels == 4 ? current[x * channels + 3] : (byte)255;
            }

            (previous, current) = (current, previous);
        }

        return rgba;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

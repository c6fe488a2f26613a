using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuralFP.Core.Tests.TestData;

/// <summary>
/// Just enough .npy reading (v1, little-endian float32, C order) to load the Python-built fixtures here,
/// independent of NeuralFP.Core's Npy so these tests check the data helpers, not the reader.
/// </summary>
internal static partial class LocalNpyReader
{
    public static (float[] Data, int[] Shape) ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("\x93NUMPY", Encoding.Latin1.GetString(bytes, 0, 6));
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var header = Encoding.Latin1.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        Assert.Contains("'fortran_order': False", header);
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, 10 + headerLength, data, 0, data.Length * sizeof(float));
        return (data, shape);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

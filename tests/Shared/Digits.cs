using System.Globalization;
using System.IO.Compression;
using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// scikit-learn's 8x8 digits (Debian package's digits.csv.gz), scaled x/16 and upsampled to 28x28 the way
/// tools/build_models.py does, so digits_cnn.onnx sees the same pixels from C# as it did in training.
/// </summary>
public static class Digits
{
    public const string DefaultCsvPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
    public const int SourceSide = 8;
    public const int TargetSide = 28;

    /// <summary>Record i is held out (test) when i % HoldoutModulus == HoldoutRemainder; mirrors tools/nfp_data.py.</summary>
    public const int HoldoutModulus = 5;
    public const int HoldoutRemainder = 0;

    private static readonly Lazy<LabeledImages> All8 = new(() => LoadRaw(DefaultCsvPath));

    /// <summary>All 1,797 digits at 8x8, [N,1,8,8], scaled x/16, in file order.</summary>
    public static LabeledImages Raw() => All8.Value;

    /// <summary>All digits upsampled to [N,1,28,28].</summary>
    public static LabeledImages All28() => Upsampled(Raw());

    /// <summary>The 20% held-out digits upsampled to 28x28: the set digits_cnn.onnx was tested on (data/digits28.npy).</summary>
    public static LabeledImages HeldOut28() => Upsampled(Raw().Select(Indices(heldOut: true)));

    /// <summary>The 80% training digits upsampled to 28x28.</summary>
    public static LabeledImages Training28() => Upsampled(Raw().Select(Indices(heldOut: false)));

    public static bool IsHeldOut(int index) => index % HoldoutModulus == HoldoutRemainder;

    /// <summary>
    /// The digits as a table, [N,64] raw values 0..16 with their labels (tools/build_holdout.py's digits-table model): row
    /// i is a test row when i % 10 ≥ 7, as for the breast-cancer table.
    /// </summary>
    public static LabeledImages Table(bool test)
    {
        var picked = Raw().Select(Enumerable.Range(0, Raw().Count).Where(i => (i % 10 >= 7) == test));
        var values = new float[picked.Images.Data.Length];
        for (var i = 0; i < values.Length; i++) values[i] = picked.Images.Data[i] * 16f; // x/16 undone exactly
        return new LabeledImages(new FloatTensor(values, [picked.Count, SourceSide * SourceSide]), picked.Labels);
    }

    public static LabeledImages LoadRaw(string csvGzPath)
    {
        if (!File.Exists(csvGzPath))
            throw new FileNotFoundException(
                $"Digits file {csvGzPath} is missing. Install it with `apt-get install python3-sklearn`.", csvGzPath);

        var pixels = new List<float>(1797 * 64);
        var labels = new List<int>(1797);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(csvGzPath), CompressionMode.Decompress));
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != 65)
                throw new InvalidDataException($"{csvGzPath} line {lineNumber} has {fields.Length} fields; expected 64 pixels and a label.");
            for (var i = 0; i < 64; i++)
                pixels.Add(float.Parse(fields[i], CultureInfo.InvariantCulture) / 16f);
            labels.Add((int)float.Parse(fields[64], CultureInfo.InvariantCulture));
        }
        return new LabeledImages(new FloatTensor(pixels.ToArray(), [labels.Count, 1, SourceSide, SourceSide]), labels.ToArray());
    }

    public static LabeledImages Upsampled(LabeledImages images) =>
        new(BilinearResize.Resize(images.Images, TargetSide, TargetSide), images.Labels);

    private static IEnumerable<int> Indices(bool heldOut) =>
        Enumerable.Range(0, Raw().Count).Where(i => IsHeldOut(i) == heldOut);
}

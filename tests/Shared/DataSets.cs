using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// The git-ignored .npy sets under data/ that tools/build_datasets.py writes (used by benchmarks; tests
/// use the loaders in this folder or committed fixtures, so they never depend on data/).
/// </summary>
public static class DataSets
{
    public const string FashionTrain10k = "fmnist_train_10k.npy";
    public const string FashionTest = "fmnist_test.npy";
    public const string FashionTestLabels = "fmnist_test_labels.npy";
    public const string FashionTest0To4 = "fmnist_test_0to4.npy";
    public const string FashionTest5To9 = "fmnist_test_5to9.npy";
    public const string Digits28 = "digits28.npy";
    public const string Digits28Labels = "digits28_labels.npy";
    public const string UniformNoise = "uniform_noise.npy";
    public const string GaussianNoise = "gaussian_noise.npy";
    public const string FashionInverted = "fmnist_inverted.npy";
    public const string FashionRotated = "fmnist_rotated.npy";

    /// <summary>Full path of a file under data/; throws naming the script that builds it when absent.</summary>
    public static string PathOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var path = Path.Combine(RepoPaths.Data, fileName);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Data set {path} is missing. Build data/ with `/usr/bin/python3 tools/build_datasets.py` (about 5 s).", path);
        return path;
    }

    /// <summary>Reads data/<paramref name="fileName"/> as float32.</summary>
    public static FloatTensor Load(string fileName)
    {
        using var stream = File.OpenRead(PathOf(fileName));
        return Npy.Read(stream);
    }
}

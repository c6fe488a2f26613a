using System.Globalization;
using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// scikit-learn's breast-cancer table (Debian's python3-sklearn ships breast_cancer.csv): 569 rows of 30 raw
/// features, labels 0 = malignant, 1 = benign. Row i is a test row when i % 10 ≥ 7, as tools/build_panel.py splits it.
/// </summary>
public static class BreastCancer
{
    public const string DefaultCsvPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
    public const int Features = 30;

    private static readonly Lazy<(FloatTensor Rows, int[] Labels)> All = new(() => Load(DefaultCsvPath));

    public static bool IsTestRow(int index) => index % 10 >= 7;

    /// <summary>The training rows (398), the tabular panel model's reference.</summary>
    public static FloatTensor Train() => Rows(test: false);

    /// <summary>The test rows (171), its in-distribution test set.</summary>
    public static FloatTensor Test() => Rows(test: true);

    public static (FloatTensor Rows, int[] Labels) Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Breast-cancer file {path} is missing. Install it with `apt-get install python3-sklearn`.", path);
        var lines = File.ReadAllLines(path);
        var values = new List<float>();
        var labels = new List<int>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != Features + 1)
                throw new InvalidDataException($"{path}: a row has {fields.Length} fields; expected {Features} features and a label.");
            for (var j = 0; j < Features; j++) values.Add(float.Parse(fields[j], CultureInfo.InvariantCulture));
            labels.Add(int.Parse(fields[Features], CultureInfo.InvariantCulture));
        }
        return (new FloatTensor(values.ToArray(), [labels.Count, Features]), labels.ToArray());
    }

    private static FloatTensor Rows(bool test)
    {
        var (rows, _) = All.Value;
        var picked = Enumerable.Range(0, rows.Records).Where(i => IsTestRow(i) == test).ToArray();
        return rows.Gather(picked);
    }
}

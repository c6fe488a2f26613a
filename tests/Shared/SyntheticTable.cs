using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// The panel's second table (tools/build_panel_table.py): 3,000 rows of scikit-learn's <c>make_classification</c> in raw
/// units (scales 0.1–1,000, log-normal amounts, integer counts, a yes/no flag), 3 classes, committed under
/// tests/fixtures/data. Row i is a test row when i % 10 ≥ 7, as for the breast-cancer table.
/// </summary>
public static class SyntheticTable
{
    private static readonly Lazy<LabeledImages> All = new(() =>
    {
        var rows = Read("data/synthetic_table.npy");
        var labels = Read("data/synthetic_table_labels.npy");
        return new LabeledImages(rows, [.. labels.Data.Select(l => (int)l)]);
    });

    /// <summary>The training rows (2,100): the model trained on them, and they are the panel's reference.</summary>
    public static LabeledImages Train() => Rows(test: false);

    /// <summary>The test rows (900), the in-distribution test set.</summary>
    public static LabeledImages Test() => Rows(test: true);

    private static LabeledImages Rows(bool test) => All.Value.Select(Enumerable.Range(0, All.Value.Count).Where(i => (i % 10 >= 7) == test));

    private static FloatTensor Read(string fixture)
    {
        using var stream = File.OpenRead(RepoPaths.Fixture(fixture));
        return Npy.Read(stream);
    }
}

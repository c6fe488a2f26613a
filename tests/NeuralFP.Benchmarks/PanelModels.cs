using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>What an OOD set is for: choosing method defaults (validation) or reporting only (test).</summary>
internal enum SetRole { Validation, Test }

internal sealed record PanelSet(string Name, SetRole Role, FloatTensor Records);

/// <summary>One panel model with its reference, in-distribution test set and OOD sets.</summary>
internal sealed record PanelModel(string Name, string Shape, bool Tabular, byte[] Onnx, FloatTensor Reference, FloatTensor InDistribution, IReadOnlyList<PanelSet> Sets);

/// <summary>
/// The model panel of issue 8 (tools/build_panel.py builds the models; fmnist_cnn, fmnist_mlp and fmnist_0to4_cnn
/// come from tools/build_models.py). Selection protocol: method defaults are chosen on the VALIDATION sets only
/// (blur, low contrast, occlusion, additive noise, the held-out class split of the 0–4 model, tabular feature
/// noise); MNIST-like digits, uniform and Gaussian noise, inverted, rotated, and the tabular drift, shuffle and
/// out-of-range sets are TEST sets, never looked at for a choice.
/// </summary>
internal static class PanelModels
{
    public static int ReferenceRecords => Env("NFP_PANEL_REFERENCE", 5000);
    public static int TestRecords => Env("NFP_PANEL_TEST", 3000);
    public static int OodRecords => Env("NFP_PANEL_OOD", 1000);

    /// <summary>The panel's image models (tests/Shared/ModelPanel.cs).</summary>
    public static IReadOnlyList<(string Name, string File, string Shape)> ImageModels => ModelPanel.Images;

    /// <summary>Names the held-out architectures as a group in NFP_PANEL_MODELS.</summary>
    public const string HeldOutGroup = "holdout";

    /// <summary>The held-out architectures' image models (tests/Shared/ModelPanel.cs): they run only when named (or by HeldOutGroup).</summary>
    public static IReadOnlyList<(string Name, string File, string Shape)> HeldOutImageModels => ModelPanel.HeldOutImages;

    public static IEnumerable<PanelModel> All(string? only = null)
    {
        var filter = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool Wanted(string name) => filter is null || filter.Contains(name);
        bool WantedHeldOut(string name) => filter is not null && (filter.Contains(HeldOutGroup) || filter.Contains(name));
        foreach (var (name, file, shape) in ImageModels)
            if (Wanted(name)) yield return Image(name, file, shape, FashionMnist.Train(), FashionMnist.Test(), nearOod: null);
        if (Wanted("cnn-0to4"))
        {
            // Trained on classes 0–4 only: classes 5–9 are a near-OOD class split (a selection set).
            yield return Image("cnn-0to4", "fmnist_0to4_cnn.onnx", "CNN trained on classes 0–4 (near-OOD split)",
                FashionMnist.Train().WhereClass(0, 4), FashionMnist.Test().WhereClass(0, 4), FashionMnist.Test().WhereClass(5, 9).Images);
        }
        if (Wanted("tabular")) yield return Tabular();
        if (Wanted("synthetic-table")) yield return SyntheticTableModel();
        foreach (var (name, file, shape) in HeldOutImageModels)
            if (WantedHeldOut(name)) yield return Image(name, file, shape, FashionMnist.Train(), FashionMnist.Test(), nearOod: null);
        if (WantedHeldOut("digits-table")) yield return DigitsTable();
    }

    /// <summary>True when a name belongs to the held-out architectures.</summary>
    public static bool IsHeldOut(string name) => name == "digits-table" || HeldOutImageModels.Any(m => m.Name == name);

    /// <summary>True when an NFP_PANEL_MODELS value selects any held-out architecture.</summary>
    public static bool NamesHeldOut(string? only) =>
        only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(n => n == HeldOutGroup || IsHeldOut(n)) == true;

    private static PanelModel Image(string name, string file, string shape, LabeledImages train, LabeledImages test, FloatTensor? nearOod)
    {
        // The reference comes from the back of the training file: images the panel models (trained on the first
        // 20,000) never saw, so the realised FPR on the test images measures calibration, not a train/test gap.
        var reference = train.Select(Enumerable.Range(train.Count - ReferenceRecords, ReferenceRecords)).Images;
        // The classes-0–4 model's test split holds about half the images: it keeps room for its OOD sources.
        var testRecords = Math.Min(TestRecords, test.Count - OodRecords);
        var inDistribution = test.Take(testRecords).Images;
        // OOD sets built from test images the in-distribution set does not hold.
        var source = test.Select(Enumerable.Range(testRecords, Math.Min(OodRecords, test.Count - testRecords))).Images;
        var sets = new List<PanelSet>
        {
            new("blur", SetRole.Validation, Corruptions.Blur(source)),
            new("low contrast", SetRole.Validation, Corruptions.LowContrast(source)),
            new("occlusion", SetRole.Validation, Corruptions.Occlusion(source)),
            new("additive noise", SetRole.Validation, Corruptions.AdditiveNoise(source)),
        };
        if (nearOod is not null) sets.Add(new("classes 5-9", SetRole.Validation, nearOod.Gather(Enumerable.Range(0, Math.Min(OodRecords, nearOod.Records)).ToArray())));
        sets.Add(new("digits", SetRole.Test, Digits.HeldOut28().Images));
        sets.Add(new("uniform noise", SetRole.Test, OodSets.UniformNoise(OodRecords)));
        sets.Add(new("gaussian noise", SetRole.Test, OodSets.GaussianNoise(OodRecords)));
        sets.Add(new("inverted", SetRole.Test, OodSets.Inverted(source)));
        sets.Add(new("rotated", SetRole.Test, OodSets.Rotated90(source)));
        return new PanelModel(name, shape, false, File.ReadAllBytes(RepoPaths.Model(file)), reference, inDistribution, sets);
    }

    private static PanelModel Tabular() =>
        Table("tabular", "breast_cancer MLP, standardisation in the graph", "panel/tabular_mlp.onnx", BreastCancer.Train(), BreastCancer.Test());

    private static PanelModel SyntheticTableModel() =>
        Table("synthetic-table", "MLP on 12 raw columns (units 0.1–1,000, amounts, counts, a flag), standardisation in the graph",
            "panel/synthetic_table_mlp.onnx", SyntheticTable.Train().Images, SyntheticTable.Test().Images);

    private static PanelModel DigitsTable() =>
        Table("digits-table", "MLP on the 64 raw values of the 8x8 digits, standardisation in the graph", "holdout/digits_table.onnx",
            Digits.Table(test: false).Images, Digits.Table(test: true).Images);

    /// <summary>A table's model with the tabular sets: feature noise for choosing, drift, shuffled columns and out-of-range values reported.</summary>
    private static PanelModel Table(string name, string shape, string file, FloatTensor reference, FloatTensor test) =>
        new(name, shape, true, File.ReadAllBytes(RepoPaths.Model(file)), reference, test,
        [
            new("feature noise", SetRole.Validation, Corruptions.FeatureNoise(test, reference)),
            new("calibration drift", SetRole.Test, Corruptions.CalibrationDrift(test)),
            new("shuffled features", SetRole.Test, Corruptions.ShuffledFeatures(test)),
            new("out of range", SetRole.Test, Corruptions.OutOfRange(test, reference)),
        ]);

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;
}

using NeuralFP.Core.Evaluation;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>The data sets the engine issue names, built from the Debian packages on the fly.</summary>
internal static class BenchmarkData
{
    public const int ReferenceRecords = 10_000;

    public static FloatTensor Reference() => FashionMnist.Train().Take(ReferenceRecords).Images;

    public static LabelledSet TestSet() => new("fashion-mnist test", FashionMnist.Test().Images);

    public static IReadOnlyList<LabelledSet> FarOodSets()
    {
        var test = FashionMnist.Test().Images;
        return
        [
            new("mnist-like digits", Digits.HeldOut28().Images),
            new("uniform noise", OodSets.UniformNoise()),
            new("gaussian noise", OodSets.GaussianNoise()),
            new("inverted f-mnist", OodSets.Inverted(test)),
            new("rotated f-mnist", OodSets.Rotated90(test)),
        ];
    }

    public static byte[] Model(string fileName) => File.ReadAllBytes(RepoPaths.Model(fileName));
}

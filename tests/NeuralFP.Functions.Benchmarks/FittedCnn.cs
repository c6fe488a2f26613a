using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Benchmarks;

/// <summary>The session benchmarks' subject: a model fingerprinted with the defaults on the last 2,000 training images, and 2,048 test images to score.</summary>
internal sealed record FittedCnn(byte[] Model, Fingerprint Fingerprint, FloatTensor Records)
{
    public static async Task<FittedCnn> BuildAsync(string modelPath)
    {
        var train = FashionMnist.Train();
        var reference = train.Select(Enumerable.Range(train.Count - 2000, 2000)).Images;
        var model = await File.ReadAllBytesAsync(modelPath);
        var fingerprint = await FingerprintBuilder.BuildAsync(model, reference, new FingerprintOptions(), new BuildLimits());
        return new FittedCnn(model, fingerprint, FashionMnist.Test().Take(2048).Images);
    }
}

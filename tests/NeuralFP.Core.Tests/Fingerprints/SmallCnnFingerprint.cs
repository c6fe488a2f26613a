using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// One fingerprint of the Fashion-MNIST CNN fixture on 1,500 real training images, built once and
/// shared by the tests that read it (small autoencoders keep the suite fast).
/// </summary>
public sealed class SmallCnnFingerprint
{
    public static readonly FingerprintOptions Options = new()
    {
        Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 8, HiddenSize = 32 },
        Seed = 7,
    };

    public SmallCnnFingerprint()
    {
        ModelBytes = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
        Reference = FashionMnist.Train().Take(1500).Images;
        var outcome = FingerprintBuilder.Build(ModelBytes, Reference, Options, progress: null, CancellationToken.None);
        Fingerprint = outcome.Fingerprint;
        Autoencoders = outcome.Autoencoders;
    }

    /// <summary>The trained autoencoders the scorer graph was fused from.</summary>
    public IReadOnlyList<Autoencoder> Autoencoders { get; }

    public byte[] ModelBytes { get; }

    public FloatTensor Reference { get; }

    public Fingerprint Fingerprint { get; }
}

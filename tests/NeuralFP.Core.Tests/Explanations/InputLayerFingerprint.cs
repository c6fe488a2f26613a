using NeuralFP.Core.Verdicts;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Explanations;

/// <summary>A fingerprint of the Fashion-MNIST CNN that names the model input among its layers (explanations need its autoencoder), built once per test class.</summary>
public sealed class InputLayerFingerprint
{
    public const string Collection = "input-layer fingerprint";

    public static readonly FingerprintOptions Options = new()
    {
        Layers = ["input", "/8/Relu_output_0"],
        // The paper's rule, so "deciding layer" means "the fired layer" here; under the Gaussian default 173 of the
        // 200 occluded images are OOD (the locality of the explanation does not depend on the rule).
        Integration = IntegrationKinds.OneOut,
        Seed = 11,
    };

    public InputLayerFingerprint()
    {
        ModelBytes = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
        Fingerprint = FingerprintBuilder.Build(ModelBytes, FashionMnist.Train().Take(5000).Images, Options, progress: null, CancellationToken.None).Fingerprint;
    }

    public byte[] ModelBytes { get; }

    public Fingerprint Fingerprint { get; }
}

[CollectionDefinition(InputLayerFingerprint.Collection)]
public sealed class InputLayerFingerprintCollection : ICollectionFixture<InputLayerFingerprint>;

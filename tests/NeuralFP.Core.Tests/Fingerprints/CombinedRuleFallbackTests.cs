using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The per-class combined rule on a model without class outputs, and partners left out of the detector list: the build adapts and says so.</summary>
public sealed class CombinedRuleFallbackTests
{
    private sealed class Collect : IProgress<string>
    {
        public List<string> Lines { get; } = [];

        public void Report(string value) => Lines.Add(value);
    }

    [Theory]
    [InlineData(CombinedDetector.GaussianPerClassRule, CombinedDetector.GaussianRule)]
    [InlineData(CombinedDetector.NeighboursPerClassRule, CombinedDetector.NeighboursRule)]
    public void A_single_output_model_gets_the_rule_without_classes(string perClassRule, string oneMeanRule)
    {
        var random = new Random(5);
        var values = new float[800 * 6];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        var progress = new Collect();
        var options = new FingerprintOptions
        {
            Seed = 3, Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 8 }, Layers = ["input", "hidden"],
            Detectors = [DetectorNames.Energy, DetectorNames.Combined], CombinedRule = perClassRule,
        };

        // A one-value output (a score, not class logits) has no predicted class to condition on.
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.SingleScore(6), new FloatTensor(values, [800, 6]), options, progress, CancellationToken.None).Fingerprint;

        var combined = (CombinedDetector)fingerprint.Detectors[DetectorNames.Combined].Detector;
        Assert.Equal(oneMeanRule, combined.Rule);
        Assert.Contains(progress.Lines, l => l.Contains("no class outputs", StringComparison.Ordinal));
        // Default partners the detector list leaves out are named, not dropped silently.
        Assert.Contains(progress.Lines, l => l.Contains("mahalanobis not fitted", StringComparison.Ordinal));
    }
}

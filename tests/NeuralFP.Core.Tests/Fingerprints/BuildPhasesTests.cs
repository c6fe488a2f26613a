using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// A build says where its time went, phase by phase, and its side-by-side work (the layers' autoencoders beside the
/// detectors' fits, the detectors' calibrations) leaves no trace in the result: reports come in layer and detector
/// order, a cancellation surfaces as itself.
/// </summary>
public sealed class BuildPhasesTests
{
    private static readonly byte[] Cnn = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
    private static readonly FingerprintOptions Small = new() { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, HiddenSize = 16 }, BatchSize = 64, Detectors = [DetectorNames.MaxSoftmax, DetectorNames.Energy, DetectorNames.Knn] };

    [Fact]
    public void A_build_reports_its_phases_in_order_and_its_layers_and_detectors_in_their_own_order()
    {
        var lines = new List<string>();
        var outcome = FingerprintBuilder.Build(Cnn, FashionMnist.Train().Take(400).Images, Small, new SynchronousProgress(lines), CancellationToken.None);

        var measured = outcome.Phases.Where(p => !double.IsNaN(p.CpuSeconds)).Select(p => p.Name).ToArray();
        Assert.Equal(9, measured.Length);
        Assert.StartsWith("setup", measured[0], StringComparison.Ordinal);
        Assert.StartsWith("first pass", measured[1], StringComparison.Ordinal);
        Assert.StartsWith("autoencoders", measured[2], StringComparison.Ordinal);
        Assert.StartsWith("calibration pass", measured[4], StringComparison.Ordinal);
        Assert.StartsWith("detector calibration", measured[5], StringComparison.Ordinal);
        Assert.StartsWith("fusion check", measured[6], StringComparison.Ordinal);
        Assert.StartsWith("combined detector", measured[7], StringComparison.Ordinal);
        Assert.StartsWith("self-check", measured[8], StringComparison.Ordinal);
        Assert.All(outcome.Phases, p => Assert.True(p.WallSeconds >= 0, $"{p.Name}: {p.WallSeconds} s"));
        Assert.Contains(outcome.Phases, p => p.Name.Contains("reading", StringComparison.Ordinal) && double.IsNaN(p.CpuSeconds));
        // The phases cover the build: their wall times add up to about what the manifest records.
        var total = outcome.Phases.Where(p => !double.IsNaN(p.CpuSeconds)).Sum(p => p.WallSeconds);
        Assert.InRange(total, 0.5 * outcome.Fingerprint.Manifest.BuildSeconds, outcome.Fingerprint.Manifest.BuildSeconds + 0.5);
        Assert.Single(lines, l => l.StartsWith("Phases: setup", StringComparison.Ordinal));

        var layerLines = lines.Where(l => l.StartsWith("Layer ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(outcome.Fingerprint.Manifest.Layers.Select(l => $"Layer {l.Name}:"), layerLines.Select(l => l[..(l.IndexOf(':') + 1)]));
        var detectorLines = lines.Where(l => l.StartsWith("Detector ", StringComparison.Ordinal)).Select(l => l.Split(' ', ':')[1]).ToArray();
        Assert.Equal(outcome.Fingerprint.Detectors.Names, detectorLines);
    }

    [Fact]
    public void A_cancellation_while_the_autoencoders_train_is_an_operation_canceled_exception_not_an_aggregate()
    {
        using var cancellation = new CancellationTokenSource();
        // Cancel as soon as the first pass is done: the side-by-side training sees it.
        var progress = new SynchronousProgress([], line => { if (line.StartsWith("Activations of", StringComparison.Ordinal)) cancellation.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            FingerprintBuilder.Build(Cnn, FashionMnist.Train().Take(400).Images, Small, progress, cancellation.Token));
    }
}

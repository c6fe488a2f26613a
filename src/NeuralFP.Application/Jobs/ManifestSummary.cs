using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Application.Jobs;

/// <summary>The few manifest figures the registry shows: layer names, input shape, calibration, self-check, integration, detectors.</summary>
internal static class ManifestSummary
{
    public static (IReadOnlyList<string> Layers, int[] InputShape, CalibrationSummary Calibration, SelfCheckSummary? SelfCheck, IntegrationSummary Integration,
        IReadOnlyList<DetectorSummary> Detectors) From(FingerprintManifest manifest)
        => (manifest.Layers.Select(l => l.Name).ToList(), manifest.InputShape, manifest.Calibration, manifest.SelfCheck, IntegrationSummary.Of(manifest.Integration),
            manifest.Detectors);
}

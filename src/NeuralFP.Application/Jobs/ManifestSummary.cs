using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Application.Jobs;

/// <summary>The few manifest figures the registry shows: layer names, input shape, calibration.</summary>
internal static class ManifestSummary
{
    public static (IReadOnlyList<string> Layers, int[] InputShape, CalibrationSummary Calibration) From(FingerprintManifest manifest)
        => (manifest.Layers.Select(l => l.Name).ToList(), manifest.InputShape, manifest.Calibration);
}

using NeuralFP.Core.Detectors;
using NeuralFP.Functions.Http;
using NeuralFP.Application.Scoring;

namespace NeuralFP.Functions.Http;

/// <summary>Which detector a verdicts request asks for: the fingerprint (the default) or one fitted beside it.</summary>
internal static class DetectorChoice
{
    public const string Fingerprint = "fingerprint";

    /// <returns>The detector named by <paramref name="name"/>, or null for the fingerprint.</returns>
    /// <exception cref="UnknownDetectorException">The model's current fingerprint has no detector of that name.</exception>
    public static CalibratedDetector? Resolve(LoadedModel model, string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Equals(Fingerprint, StringComparison.OrdinalIgnoreCase))
            return null;
        var detectors = model.Scorer.Fingerprint.Detectors;
        return detectors.Detectors.FirstOrDefault(d => d.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new UnknownDetectorException(model.ModelId, name.Trim(), [Fingerprint, .. detectors.Names]);
    }
}

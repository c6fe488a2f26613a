using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

/// <summary>
/// Persisted state of a fitted detector. Polymorphic in JSON through the <c>kind</c> discriminator
/// (the detector's name); <see cref="FormatVersion"/> lets a reader refuse state from a newer writer.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(MaxSoftmaxState), DetectorNames.MaxSoftmax)]
[JsonDerivedType(typeof(EnergyState), DetectorNames.Energy)]
[JsonDerivedType(typeof(DiceState), DetectorNames.Dice)]
[JsonDerivedType(typeof(MahalanobisState), DetectorNames.Mahalanobis)]
[JsonDerivedType(typeof(KnnState), DetectorNames.Knn)]
[JsonDerivedType(typeof(ActivationPatternState), DetectorNames.ActivationPatterns)]
[JsonDerivedType(typeof(NodeHistogramState), DetectorNames.NodeHistograms)]
[JsonDerivedType(typeof(GaussianKlState), DetectorNames.GaussianKl)]
[JsonDerivedType(typeof(CombinedState), DetectorNames.Combined)]
public abstract record DetectorState
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    internal void EnsureReadable(string detector)
    {
        if (FormatVersion < 1 || FormatVersion > CurrentFormatVersion)
            throw new NotSupportedException(
                $"The '{detector}' state has format version {FormatVersion}; this build reads versions 1..{CurrentFormatVersion}. Refit the detector or upgrade NeuralFP.");
    }

    internal static void Require(bool condition, string detector, string problem)
    {
        if (!condition) throw new InvalidDataException($"The persisted '{detector}' state is inconsistent: {problem}. Refit the detector.");
    }
}

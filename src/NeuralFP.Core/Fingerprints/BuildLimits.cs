using System.Globalization;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// What one fingerprint build may cost, checked from the options and the model's shapes before any work
/// (<see cref="BuildEstimate"/>). Set by the operator, not by an upload: the service binds them from
/// <c>NeuralFP__Limits__{Name}</c>. Over a limit is a <see cref="FingerprintInputException"/> naming it.
/// </summary>
public sealed record BuildLimits
{
    /// <summary>Prefix of the app settings that set these limits (environment-variable spelling).</summary>
    public const string SettingPrefix = "NeuralFP__Limits__";

    /// <summary>Features one tapped layer may give after pooling (an autoencoder's input width).</summary>
    public long MaxFeaturesPerLayer { get; init; } = Autoencoders.AutoencoderOptions.MaxWidth;

    /// <summary>Weights and biases of all the layers' autoencoders together.</summary>
    public long MaxAutoencoderParameters { get; init; } = 16_000_000;

    /// <summary>Estimated size of the fused <c>scorer.onnx</c> (model, autoencoders, detector heads).</summary>
    public long MaxScorerBytes { get; init; } = 128L << 20;

    /// <summary>Estimated working memory of the build (reference, activations, training, scorer), excluding the process's base.</summary>
    public long MaxBuildMemoryBytes { get; init; } = 1L << 30;

    /// <summary>The app setting that sets the limit named <paramref name="name"/>.</summary>
    public static string SettingFor(string name) => SettingPrefix + name;

    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive, or the feature limit is above what an autoencoder takes.</exception>
    public void Validate()
    {
        Require(nameof(MaxFeaturesPerLayer), MaxFeaturesPerLayer, Autoencoders.AutoencoderOptions.MaxWidth);
        Require(nameof(MaxAutoencoderParameters), MaxAutoencoderParameters, long.MaxValue);
        Require(nameof(MaxScorerBytes), MaxScorerBytes, long.MaxValue);
        Require(nameof(MaxBuildMemoryBytes), MaxBuildMemoryBytes, long.MaxValue);
    }

    private static void Require(string name, long value, long max)
    {
        if (value < 1 || value > max)
            throw new ArgumentOutOfRangeException(SettingFor(name), value, string.Create(CultureInfo.InvariantCulture,
                $"{SettingFor(name)} must be between 1 and {max:N0}; got {value:N0}."));
    }
}

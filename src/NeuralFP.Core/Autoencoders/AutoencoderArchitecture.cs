namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Layer widths of the autoencoder for one input width: Width → [Hidden, ReLU] → Bottleneck (linear) →
/// [Hidden, ReLU] → Width (linear). PCA uses only <see cref="Bottleneck"/>.
/// </summary>
/// <remarks>
/// Bottleneck = clamp(round(Width · BottleneckRatio), MinBottleneck, MaxBottleneck), then capped at Width − 1 so the
/// network can never learn the identity. Hidden = min(HiddenSize, max(2 · Width, 16)) (0 when HiddenSize is 0):
/// narrow layers such as logits get a hidden layer a few times their width instead of an over-complete 128.
/// </remarks>
public sealed record AutoencoderArchitecture(int Width, int Hidden, int Bottleneck)
{
    /// <summary>The smallest input width an autoencoder can compress.</summary>
    public const int MinWidth = 2;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below <see cref="MinWidth"/>.</exception>
    public static AutoencoderArchitecture For(int width, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (width < MinWidth)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"An autoencoder needs at least {MinWidth} features per record to compress; got {width}. Tap a wider layer.");
        int bottleneck = (int)Math.Round(width * options.BottleneckRatio, MidpointRounding.AwayFromZero);
        bottleneck = Math.Clamp(bottleneck, options.MinBottleneck, Math.Max(options.MinBottleneck, options.MaxBottleneck));
        bottleneck = Math.Min(bottleneck, width - 1);
        int hidden = options.HiddenSize == 0 ? 0 : Math.Min(options.HiddenSize, Math.Max(2 * width, 16));
        return new AutoencoderArchitecture(width, hidden, bottleneck);
    }
}

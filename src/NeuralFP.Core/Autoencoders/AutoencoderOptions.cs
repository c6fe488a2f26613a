namespace NeuralFP.Core.Autoencoders;

/// <summary>How each layer's autoencoder is built. Validated by <see cref="Validate"/>.</summary>
public sealed record AutoencoderOptions
{
    public AutoencoderKind Kind { get; init; } = AutoencoderKind.Mlp;

    /// <summary>Bottleneck width as a fraction of the input width (clamped to [MinBottleneck, MaxBottleneck]).</summary>
    public double BottleneckRatio { get; init; } = 0.25;
    public int MinBottleneck { get; init; } = 2;
    public int MaxBottleneck { get; init; } = 64;

    /// <summary>Width of the hidden layer on each side of the bottleneck; 0 means no hidden layer.</summary>
    public int HiddenSize { get; init; } = 128;

    public int MaxEpochs { get; init; } = 40;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Epochs without validation improvement before stopping.</summary>
    public int Patience { get; init; } = 5;

    public int Seed { get; init; } = 42;

    public void Validate() => throw new NotImplementedException();
}

namespace NeuralFP.Core.Autoencoders;

/// <summary>How each layer's autoencoder is built. Validated by <see cref="Validate"/>.</summary>
public sealed record AutoencoderOptions
{
    public const int MaxWidth = 16_384;
    public const int MaxBatchSize = 65_536;
    public const int MaxEpochLimit = 10_000;

    /// <summary>
    /// The autoencoder of each layer. <see cref="AutoencoderKind.Auto"/> (the default) trains the MLP from
    /// <see cref="MinMlpTrainingRecords"/> training records up and fits PCA below (see there why).
    /// </summary>
    public AutoencoderKind Kind { get; init; } = AutoencoderKind.Auto;

    /// <summary>
    /// Fewest training records on which <see cref="AutoencoderKind.Auto"/> trains the MLP; below, PCA. The threshold follows
    /// from the MLP's budget (not tuned on any OOD set): at most <see cref="MaxEpochs"/> (40) epochs of <see cref="BatchSize"/> (128) records
    /// is fewer than 8 Adam steps an epoch and 320 in all below 1,000 records, while its weights (about 4 × width × hidden)
    /// are as many as the values it fits, so it neither converges nor generalises; PCA needs no budget, and its leading directions
    /// are estimated in closed form from a few hundred records. Linear relations between features (a table's radius,
    /// perimeter and area) are then kept exactly, and a record that breaks them shows. The panel's image models train on
    /// 2,550 records or more; its table (breast cancer) on about 200.
    /// </summary>
    public const int MinMlpTrainingRecords = 1_000;

    /// <summary>The kind fitted on <paramref name="trainingRecords"/> records: <see cref="Kind"/>, with <see cref="AutoencoderKind.Auto"/> resolved.</summary>
    public AutoencoderKind KindFor(int trainingRecords) => Kind != AutoencoderKind.Auto ? Kind
        : trainingRecords >= MinMlpTrainingRecords ? AutoencoderKind.Mlp : AutoencoderKind.Pca;

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

    /// <summary>Throws if any option is out of range; the exception's ParamName is the option's name.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its allowed range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, $"{nameof(AutoencoderOptions)}.{nameof(Kind)} must be one of {string.Join(", ", Enum.GetNames<AutoencoderKind>())}.");
        if (!(BottleneckRatio > 0 && BottleneckRatio <= 1))
            throw OutOfRange(nameof(BottleneckRatio), BottleneckRatio, "a number in (0, 1]");
        RequireBetween(nameof(MinBottleneck), MinBottleneck, 1, MaxWidth);
        RequireBetween(nameof(MaxBottleneck), MaxBottleneck, MinBottleneck, MaxWidth, $"between {nameof(MinBottleneck)} ({MinBottleneck}) and {MaxWidth}");
        RequireBetween(nameof(HiddenSize), HiddenSize, 0, MaxWidth, $"between 0 (no hidden layer) and {MaxWidth}");
        RequireBetween(nameof(MaxEpochs), MaxEpochs, 1, MaxEpochLimit);
        RequireBetween(nameof(BatchSize), BatchSize, 1, MaxBatchSize);
        if (!(LearningRate > 0 && LearningRate <= 1))
            throw OutOfRange(nameof(LearningRate), LearningRate, "a number in (0, 1] (typically 1e-3)");
        RequireBetween(nameof(Patience), Patience, 1, MaxEpochLimit);
    }

    private static void RequireBetween(string name, int value, int min, int max, string? range = null)
    {
        if (value < min || value > max) throw OutOfRange(name, value, range ?? $"between {min} and {max}");
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string range)
        => new(name, value, $"{nameof(AutoencoderOptions)}.{name} must be {range}; got {value}.");
}

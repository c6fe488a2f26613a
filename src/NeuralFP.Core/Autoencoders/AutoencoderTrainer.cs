using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>Fits an autoencoder (MLP with Adam and early stopping, or PCA; <see cref="AutoencoderKind.Auto"/> by the number of training records) on standardised features.</summary>
public static class AutoencoderTrainer
{
    /// <summary>
    /// Fits an autoencoder of the shape <see cref="AutoencoderArchitecture.For"/> gives for the records' width.
    /// <paramref name="validation"/> drives early stopping and may be empty (then the training records stand in).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or records have fewer than 2 features.</exception>
    /// <exception cref="ArgumentException">Too few training records, widths differ, or a value is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">Training diverged from the first epoch on.</exception>
    public static Autoencoder Fit(FloatTensor train, FloatTensor validation, AutoencoderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Records < 2)
            throw new ArgumentException($"An autoencoder needs at least 2 training records; got {train.Records}. Provide more reference records.", nameof(train));
        var architecture = AutoencoderArchitecture.For(train.RecordLength, options);
        if (validation.Records > 0 && validation.RecordLength != train.RecordLength)
            throw new ArgumentException($"Validation records have {validation.RecordLength} features but training records have {train.RecordLength}.", nameof(validation));
        RequireFinite(train, nameof(train));
        RequireFinite(validation, nameof(validation));

        return options.KindFor(train.Records) == AutoencoderKind.Pca
            ? PcaFitter.Fit(train, validation, options, architecture, cancellationToken)
            : MlpTrainer.Fit(train, validation, options, architecture, cancellationToken);
    }

    private static void RequireFinite(FloatTensor records, string name)
    {
        int bad = VectorMath.FirstNonFiniteRecord(records.Data, records.RecordLength);
        if (bad >= 0) throw new ArgumentException($"Record {bad} of {name} holds NaN or an infinite value; autoencoder inputs must be finite.", name);
    }
}

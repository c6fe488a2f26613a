using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>A trained autoencoder over standardised features: a stack of dense layers, input width = output width.</summary>
public sealed class Autoencoder
{
    /// <exception cref="ArgumentException">The layers are empty, do not chain, have arrays of the wrong length, or the output width differs from the input width.</exception>
    public Autoencoder(IReadOnlyList<DenseLayer> layers, TrainingSummary? training = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        DenseLayerChain.Validate(layers);
        Layers = layers;
        Training = training;
    }

    public IReadOnlyList<DenseLayer> Layers { get; }

    /// <summary>How the fit went; null for an autoencoder loaded from storage.</summary>
    public TrainingSummary? Training { get; }

    public int Width => Layers[0].Inputs;

    /// <summary>Per-record reconstruction error: mean over features of (z − ẑ)².</summary>
    /// <exception cref="ArgumentException">The records do not have <see cref="Width"/> features.</exception>
    public float[] Errors(FloatTensor standardized)
    {
        ArgumentNullException.ThrowIfNull(standardized);
        var errors = new float[standardized.Records];
        Errors(standardized, errors);
        return errors;
    }

    /// <summary>Writes each record's reconstruction error into <paramref name="destination"/> (one value per record).</summary>
    /// <exception cref="ArgumentException">Wrong record width, or <paramref name="destination"/> is too short.</exception>
    public void Errors(FloatTensor standardized, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(standardized);
        if (standardized.RecordLength != Width)
            throw new ArgumentException($"Records have {standardized.RecordLength} features but this autoencoder takes {Width}.", nameof(standardized));
        if (destination.Length < standardized.Records)
            throw new ArgumentException($"Destination holds {destination.Length} errors; {standardized.Records} are needed.", nameof(destination));
        ReconstructionErrors.Compute(Layers, standardized.Data, standardized.Records, destination);
    }
}

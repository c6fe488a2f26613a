using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>Per-feature z-scoring: (x − mean) / scale, with scale floored so constant features stay finite.</summary>
public sealed class Standardizer(float[] mean, float[] scale)
{
    public float[] Mean { get; } = mean;
    public float[] Scale { get; } = scale;

    public static Standardizer Fit(FloatTensor features) => throw new NotImplementedException();

    /// <summary>A new [N, D] tensor of standardised features.</summary>
    public FloatTensor Transform(FloatTensor features) => throw new NotImplementedException();
}

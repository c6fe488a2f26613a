using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>
/// Out-of-distribution sets for 28x28 grey-scale models, defined exactly as tools/nfp_data.py defines them
/// (noise from a counter-based SplitMix64, so C# and Python produce the same values).
/// </summary>
public static class OodSets
{
    public const ulong UniformNoiseSeed = 1001;
    public const ulong GaussianNoiseSeed = 1002;
    public const int DefaultNoiseRecords = 2000;
    public const double GaussianMean = 0.5;
    public const double GaussianStd = 0.25;

    /// <summary>U[0,1) pixels, [records,1,28,28] (data/uniform_noise.npy for the defaults).</summary>
    public static FloatTensor UniformNoise(int records = DefaultNoiseRecords, ulong seed = UniformNoiseSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        var data = new float[records * 784];
        for (var i = 0; i < data.Length; i++)
            data[i] = (float)SplitMix64.Uniform01(seed, (ulong)i);
        return new FloatTensor(data, [records, 1, 28, 28]);
    }

    /// <summary>
    /// Gaussian pixels, mean 0.5, std 0.25, clipped to [0,1] (data/gaussian_noise.npy for the defaults).
    /// Pixel i uses the Box-Muller pair (u[2i], u[2i+1]): z = sqrt(-2 ln(1-u1)) cos(2 pi u2).
    /// </summary>
    public static FloatTensor GaussianNoise(int records = DefaultNoiseRecords, ulong seed = GaussianNoiseSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        var data = new float[records * 784];
        for (var i = 0; i < data.Length; i++)
        {
            var u1 = SplitMix64.Uniform01(seed, 2 * (ulong)i);
            var u2 = SplitMix64.Uniform01(seed, 2 * (ulong)i + 1);
            var z = Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
            data[i] = (float)Math.Clamp(GaussianMean + GaussianStd * z, 0.0, 1.0);
        }
        return new FloatTensor(data, [records, 1, 28, 28]);
    }

    /// <summary>1 - x for every pixel (data/fmnist_inverted.npy from the test set).</summary>
    public static FloatTensor Inverted(FloatTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var data = new float[images.Data.Length];
        for (var i = 0; i < data.Length; i++)
            data[i] = 1f - images.Data[i];
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }

    /// <summary>
    /// Each [N,C,S,S] image rotated 90 degrees counter-clockwise, as np.rot90(x, k=1, axes=(2,3)):
    /// out[r,c] = in[c, S-1-r] (data/fmnist_rotated.npy from the test set).
    /// </summary>
    public static FloatTensor Rotated90(FloatTensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Shape.Length != 4 || images.Shape[2] != images.Shape[3])
            throw new ArgumentException($"Expected square images shaped [N,C,S,S]; got [{string.Join(",", images.Shape)}].", nameof(images));
        var side = images.Shape[2];
        var planeSize = side * side;
        var data = new float[images.Data.Length];
        for (var plane = 0; plane < images.Data.Length / planeSize; plane++)
        {
            var baseIndex = plane * planeSize;
            for (var r = 0; r < side; r++)
                for (var c = 0; c < side; c++)
                    data[baseIndex + r * side + c] = images.Data[baseIndex + c * side + (side - 1 - r)];
        }
        return new FloatTensor(data, (int[])images.Shape.Clone());
    }
}

using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

/// <summary>Seeded records near a low-dimensional manifold, and records far from it.</summary>
internal sealed class SyntheticData
{
    private readonly double[] _mixing; // rank × width
    private readonly double[] _offset;
    private readonly Random _random;

    public SyntheticData(int width, int rank, double noise, int seed, bool curved = false)
    {
        Width = width;
        Rank = rank;
        Noise = noise;
        Curved = curved;
        _random = new Random(seed);
        _mixing = Enumerable.Range(0, rank * width).Select(_ => Normal()).ToArray();
        _offset = Enumerable.Range(0, width).Select(_ => 3 * Normal()).ToArray();
    }

    public int Width { get; }
    public int Rank { get; }
    public double Noise { get; }

    /// <summary>Adds a ReLU of the latent mix, so the manifold is not a linear subspace.</summary>
    public bool Curved { get; }

    /// <summary>Records x = offset + z·A (+ relu(z·A) when curved) + noise·ε, with z ~ N(0, I_rank).</summary>
    public FloatTensor OnManifold(int count)
    {
        var data = new float[count * Width];
        var z = new double[Rank];
        for (int r = 0; r < count; r++)
        {
            for (int t = 0; t < Rank; t++) z[t] = Normal();
            for (int j = 0; j < Width; j++)
            {
                double x = 0;
                for (int t = 0; t < Rank; t++) x += z[t] * _mixing[t * Width + j];
                if (Curved) x += Math.Max(0, x);
                data[r * Width + j] = (float)(_offset[j] + x + Noise * Normal());
            }
        }
        return new FloatTensor(data, [count, Width]);
    }

    /// <summary>Records with independent features of the same overall spread: off the manifold in every direction.</summary>
    public FloatTensor OffManifold(int count)
    {
        double spread = Math.Sqrt(Rank);
        var data = new float[count * Width];
        for (int r = 0; r < count; r++)
            for (int j = 0; j < Width; j++) data[r * Width + j] = (float)(_offset[j] + spread * Normal());
        return new FloatTensor(data, [count, Width]);
    }

    /// <summary>Standardised train, validation and test splits, all scaled by a standardizer fitted on the train split.</summary>
    public (FloatTensor Train, FloatTensor Validation, FloatTensor Test, Standardizer Standardizer) Splits(int train, int validation, int test)
    {
        var rawTrain = OnManifold(train);
        var standardizer = Standardizer.Fit(rawTrain);
        return (standardizer.Transform(rawTrain), standardizer.Transform(OnManifold(validation)), standardizer.Transform(OnManifold(test)), standardizer);
    }

    private double Normal()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

namespace NeuralFP.Core.Numerics;

/// <summary>Standard normal draws from a caller-owned <see cref="Random"/> (Box–Muller), so a seed fixes every draw.</summary>
internal sealed class Gaussian(Random random)
{
    private double _spare;
    private bool _hasSpare;

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1 = 1.0 - random.NextDouble(); // (0, 1]: keeps the logarithm finite
        double u2 = random.NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        _hasSpare = true;
        return radius * Math.Cos(angle);
    }

    public void Fill(Span<float> destination, double standardDeviation)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(Next() * standardDeviation);
    }

    public void Fill(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Next();
    }
}

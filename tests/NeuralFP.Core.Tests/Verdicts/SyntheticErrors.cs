namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// Seeded stand-in for held-out reconstruction errors: lognormal per layer, correlated across layers through a shared
/// factor (a record that is hard for one layer tends to be hard for the others), laid out [layer][record].
/// </summary>
internal static class SyntheticErrors
{
    public static readonly string[] Layers = ["conv1", "conv2", "fc1"];

    private static readonly double[] Medians = [0.2, 0.05, 1.5];
    private static readonly double[] Sigmas = [0.5, 0.8, 0.3];

    /// <param name="logShift">Added to every log-error: positive = larger errors than the reference (a shifted batch).</param>
    public static float[][] Generate(int seed, int records, double correlation = 0.6, double logShift = 0)
    {
        var random = new Random(seed);
        var errors = new float[Layers.Length][];
        for (int l = 0; l < errors.Length; l++) errors[l] = new float[records];

        double own = Math.Sqrt(1 - correlation * correlation);
        for (int r = 0; r < records; r++)
        {
            double shared = Normal(random);
            for (int l = 0; l < errors.Length; l++)
            {
                double z = correlation * shared + own * Normal(random);
                errors[l][r] = (float)(Medians[l] * Math.Exp(Sigmas[l] * z + logShift));
            }
        }
        return errors;
    }

    /// <summary>One record's errors across layers.</summary>
    public static float[] Record(float[][] errors, int record) => [.. errors.Select(layer => layer[record])];

    public static float Median(int layer) => (float)Medians[layer];

    private static double Normal(Random random)
    {
        // Box–Muller; 1 − U keeps the logarithm's argument in (0, 1].
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

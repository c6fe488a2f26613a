namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>Seeded choice of rows without replacement.</summary>
internal static class Subsample
{
    /// <summary>Ascending indices of <paramref name="count"/> rows out of <paramref name="population"/>, the same for the same seed.</summary>
    public static int[] Choose(int population, int count, int seed)
    {
        if (count >= population) return Enumerable.Range(0, population).ToArray();
        var order = Enumerable.Range(0, population).ToArray();
        var random = new Random(seed);
        // Partial Fisher–Yates: the first `count` slots end up a uniform sample.
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, population);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var chosen = order[..count];
        Array.Sort(chosen);
        return chosen;
    }
}

namespace NeuralFP.Benchmarks;

/// <summary>What the timing benchmarks print beside their figures: medians of rounds and the machine's load.</summary>
internal static class RunStatistics
{
    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The one-minute load average, to print beside every figure measured on a shared machine.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}

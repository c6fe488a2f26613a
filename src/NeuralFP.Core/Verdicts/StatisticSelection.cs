using System.Globalization;

namespace NeuralFP.Core.Verdicts;

/// <summary>A statistic left out of an integration before it is fitted (<see cref="LayerIntegration.Calibrate"/>), and why.</summary>
public sealed record LeftOutStatistic(int Statistic, string Reason);

/// <summary>
/// The statistics a density integration leaves out because the build's response shifts barely move them
/// (<see cref="Fingerprints.FingerprintOptions.StatisticResponseBar"/>). A statistic that no shift of any kind moves only
/// adds a dimension of in-distribution noise to the density, which dilutes the ones that do move. The response shifts are
/// of other kinds than any evaluation set, so nothing is chosen by the shifts it is judged on. The statistic that moves
/// most stays, and so does the layer error that moves most: the integration reads at least one layer.
/// </summary>
public static class StatisticSelection
{
    /// <param name="responses">Per statistic (the layers' errors first), the largest AUROC alone of its values under a
    /// response shift against the calibration records' values, read the way the shift moves it (0.5–1).</param>
    /// <param name="layers">How many of the statistics are layer errors.</param>
    /// <param name="bar">Statistics below it are left out; 0.5 or less keeps every statistic.</param>
    /// <param name="shifts">The response shifts, as the reasons name them.</param>
    public static IReadOnlyList<LeftOutStatistic> LeaveOut(IReadOnlyList<double> responses, int layers, double bar, string shifts)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layers, responses.Count);
        if (responses.Count == 0) return [];
        var best = 0;
        for (var j = 1; j < responses.Count; j++)
            if (responses[j] > responses[best]) best = j;
        var bestLayer = -1;
        for (var j = 0; j < layers; j++)
            if (bestLayer < 0 || responses[j] > responses[bestLayer]) bestLayer = j;
        var leftOut = new List<LeftOutStatistic>();
        for (var j = 0; j < responses.Count; j++)
            if (j != best && j != bestLayer && responses[j] < bar)
                leftOut.Add(new LeftOutStatistic(j, string.Create(CultureInfo.InvariantCulture,
                    $"the response shifts barely move it: AUROC alone {responses[j]:F3} under {shifts}, below {bar:0.###}")));
        return leftOut;
    }
}

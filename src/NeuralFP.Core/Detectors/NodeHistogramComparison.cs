using System.Diagnostics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

/// <summary>What the histogram representation saves against brute-force empirical p-values, as arXiv:2312.08143 reports it.</summary>
/// <param name="HistogramBytes">Persisted size of the per-node histograms.</param>
/// <param name="RawBytes">Size of the raw reference activations brute force keeps.</param>
/// <param name="HistogramSeconds">Time for every node p-value of every query from the histograms.</param>
/// <param name="BruteForceSeconds">Time for the same p-values by counting the stored activations.</param>
/// <param name="MaxAbsPValueDifference">Largest |p_histogram − p_brute| over all queries and nodes.</param>
public sealed record NodeHistogramComparison(
    long HistogramBytes,
    long RawBytes,
    double HistogramSeconds,
    double BruteForceSeconds,
    double MaxAbsPValueDifference)
{
    /// <summary>Measures on <paramref name="queries"/> (the activations the detector reads, [N, nodes]).</summary>
    /// <param name="reference">The activations the detector was fitted on (brute force keeps these).</param>
    public static NodeHistogramComparison Measure(NodeHistogramDetector detector, FloatTensor reference, FloatTensor queries)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(queries);
        DetectorGuard.Fitted(detector.IsFitted, detector.Name);
        DetectorGuard.Width(reference, detector.Nodes, detector.Name, "reference activations");
        DetectorGuard.Width(queries, detector.Nodes, detector.Name, "query activations");
        var brute = new BruteForceNodePValues(reference, detector.Options.Tail);
        var nodes = detector.Nodes;
        var fromHistogram = new double[queries.Records * nodes];
        var exact = new double[queries.Records * nodes];

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < queries.Records; i++) detector.NodePValues(queries.Record(i), fromHistogram.AsSpan(i * nodes, nodes));
        var histogramSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var i = 0; i < queries.Records; i++) brute.NodePValues(queries.Record(i), exact.AsSpan(i * nodes, nodes));
        var bruteSeconds = clock.Elapsed.TotalSeconds;

        var maxDifference = 0.0;
        for (var i = 0; i < exact.Length; i++) maxDifference = Math.Max(maxDifference, Math.Abs(fromHistogram[i] - exact[i]));
        return new NodeHistogramComparison(detector.StateBytes, brute.StateBytes, histogramSeconds, bruteSeconds, maxDifference);
    }
}

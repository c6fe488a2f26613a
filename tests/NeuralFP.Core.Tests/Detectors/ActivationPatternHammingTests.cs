using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class ActivationPatternHammingTests
{
    // 70 units, so patterns span two 64-bit words.
    private const int Units = 70;

    private static float[] Pattern(params int[] on)
    {
        var a = Enumerable.Repeat(-1f, Units).ToArray();
        foreach (var u in on) a[u] = 0.5f;
        return a;
    }

    private static DetectorInputs Records(IReadOnlyList<(int Class, float[] Activations)> records)
    {
        var logits = new float[records.Count * 2];
        var layer = new float[records.Count * Units];
        for (var i = 0; i < records.Count; i++)
        {
            logits[i * 2 + records[i].Class] = 1;
            records[i].Activations.CopyTo(layer, i * Units);
        }
        return new DetectorInputs(new FloatTensor(logits, [records.Count, 2]), patternLayer: new FloatTensor(layer, [records.Count, Units]));
    }

    [Fact]
    public void Score_is_the_hamming_distance_to_the_nearest_pattern_of_the_predicted_class()
    {
        var monitor = new ActivationPatternMonitor(new ActivationPatternOptions { Gamma = 1 });
        monitor.Fit(Records(
        [
            (0, Pattern(0, 1, 2)),
            (0, Pattern(0, 1, 2)),      // duplicate: stored once
            (0, Pattern(64, 65, 69)),   // bits in the second word
            (1, Pattern(10)),
        ]));

        Assert.Equal(2, monitor.PatternsOfClass(0));
        Assert.Equal(1, monitor.PatternsOfClass(1));

        var scores = SyntheticActivations.Scores(monitor, Records(
        [
            (0, Pattern(0, 1, 2)),          // stored: 0
            (0, Pattern(0, 1)),             // one bit off: 1
            (0, Pattern(0, 1, 2, 3, 66)),   // two extra bits: 2
            (0, Pattern(64, 65, 69, 0)),    // nearest is the second-word pattern: 1
            (1, Pattern(0, 1, 2)),          // class 1 only has {10}: 4
            (1, Pattern()),                 // 1
        ]));

        Assert.Equal([0, 1, 2, 1, 4, 1], scores);
        Assert.Equal([false, false, true, false, true, false], scores.Select(monitor.IsOutsideGamma));
    }

    [Fact]
    public void A_class_never_seen_in_the_reference_scores_the_layer_width()
    {
        var monitor = new ActivationPatternMonitor();
        monitor.Fit(Records([(0, Pattern(3))]));

        var scores = SyntheticActivations.Scores(monitor, Records([(1, Pattern(3))]));

        Assert.Equal(Units, scores[0]);
    }

    [Fact]
    public void Binarising_sets_bit_u_when_unit_u_is_above_the_threshold()
    {
        var activations = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? 1f : i % 3 == 1 ? 0f : -2f).ToArray();
        var bits = new ulong[2];

        ActivationPatternMonitor.Binarise(activations, 0f, bits);

        for (var u = 0; u < 100; u++) Assert.Equal(u % 3 == 0, (bits[u >> 6] >> (u & 63) & 1) == 1);
        Assert.Equal(0UL, bits[1] >> 36); // no bits beyond unit 99
    }
}

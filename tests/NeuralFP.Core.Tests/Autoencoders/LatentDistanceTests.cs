using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Autoencoders;

/// <summary>The latent code's Mahalanobis distance: the encoder half of the autoencoder, whitened by the training codes.</summary>
public sealed class LatentDistanceTests
{
    private static FloatTensor CorrelatedCodes(int records, int seed)
    {
        var random = new Random(seed);
        var data = new float[records * 3];
        for (var r = 0; r < records; r++)
        {
            double a = Normal(random), b = Normal(random), c = Normal(random);
            data[r * 3] = (float)(2 + 3 * a);
            data[r * 3 + 1] = (float)(-1 + 3 * a + 0.5 * b);
            data[r * 3 + 2] = (float)(0.2 * c);
        }
        return new FloatTensor(data, [records, 3]);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static FloatTensor IndependentCodes(int records, int seed)
    {
        var random = new Random(seed);
        var data = new float[records * 3];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(1 + 2 * Normal(random));
        return new FloatTensor(data, [records, 3]);
    }

    [Fact]
    public void Fitted_codes_have_a_mean_squared_distance_near_their_width_and_the_fit_is_deterministic()
    {
        var codes = IndependentCodes(20000, 1);
        var distance = LatentDistance.Fit(codes);

        var mean = distance.Distances(IndependentCodes(20000, 2)).Average(d => (double)d);

        // E‖(h − μ)·W‖² = width under the fitted Gaussian; the 5% diagonal shrinkage pulls it to width / 1.05.
        Assert.InRange(mean, 2.75, 2.97);
        Assert.Equal(distance.Whitening, LatentDistance.Fit(codes).Whitening);
        Assert.Equal(distance.Means, LatentDistance.Fit(codes).Means);
        Assert.Equal(1, distance.Classes);
    }

    [Fact]
    public void A_code_off_the_correlation_is_far_although_each_unit_alone_is_typical()
    {
        var distance = LatentDistance.Fit(CorrelatedCodes(5000, 3));

        // Units 0 and 1 move together in the training codes; here they move apart, each within its own range.
        var along = distance.Distances(new FloatTensor([5f, 2f, 0f], [1, 3]))[0];
        var across = distance.Distances(new FloatTensor([5f, -4f, 0f], [1, 3]))[0];

        Assert.True(across > 10 * along, $"across {across}, along {along}");
    }

    [Fact]
    public void Per_class_means_find_the_empty_space_between_two_classes_that_one_mean_calls_typical()
    {
        var random = new Random(5);
        var data = new float[4000 * 2];
        var classes = new int[4000];
        for (var r = 0; r < 4000; r++)
        {
            classes[r] = r % 2;
            data[r * 2] = (float)((classes[r] == 0 ? -5 : 5) + Normal(random));
            data[r * 2 + 1] = (float)Normal(random);
        }
        var codes = new FloatTensor(data, [4000, 2]);
        var perClass = LatentDistance.Fit(codes, classes);
        var overall = LatentDistance.Fit(codes);
        var between = new FloatTensor([0f, 0f], [1, 2]);
        var onAClass = new FloatTensor([5f, 0f], [1, 2]);

        Assert.Equal(2, perClass.Classes);
        Assert.True(perClass.Distances(between)[0] > 10 * perClass.Distances(onAClass)[0]);
        Assert.True(overall.Distances(between)[0] < overall.Distances(onAClass)[0]);
    }

    [Fact]
    public void The_expanded_form_the_graph_uses_equals_the_direct_distance()
    {
        var random = new Random(6);
        var data = Enumerable.Range(0, 3000 * 3).Select(_ => (float)(10 + Normal(random))).ToArray();
        var classes = Enumerable.Range(0, 3000).Select(r => r % 3).ToArray();
        var distance = LatentDistance.Fit(new FloatTensor(data, [3000, 3]), classes);
        var (means, norms) = distance.Expanded();
        var centre = distance.Centre();
        float[] code = [11f, 8.5f, 10.2f];

        var u = new double[3];
        for (var j = 0; j < 3; j++)
            for (var i = 0; i <= j; i++) u[j] += (code[i] - centre[i]) * distance.Whitening[i * 3 + j];
        var expanded = Enumerable.Range(0, distance.Classes)
            .Min(c => u.Sum(x => x * x) - 2 * Enumerable.Range(0, 3).Sum(j => u[j] * means[c * 3 + j]) + norms[c]);

        Assert.Equal(distance.Distances(new FloatTensor(code, [1, 3]))[0], expanded, 1e-3);
    }

    /// <summary>Two clusters at x = ∓5: the empty space between them is where one mean sits.</summary>
    private static FloatTensor TwoClusters(int records, int seed)
    {
        var random = new Random(seed);
        var data = new float[records * 2];
        for (var r = 0; r < records; r++)
        {
            data[r * 2] = (float)((r % 2 == 0 ? -5 : 5) + Normal(random));
            data[r * 2 + 1] = (float)Normal(random);
        }
        return new FloatTensor(data, [records, 2]);
    }

    [Fact]
    public void The_nearest_code_distance_is_the_smallest_whitened_distance_to_a_seeded_sample_of_the_training_codes()
    {
        var codes = CorrelatedCodes(3000, 11);
        var neighbours = LatentDistance.FitNeighbours(codes, 200, seed: 4);
        var overall = LatentDistance.Fit(codes);

        // 200 of the training codes (rows kept whole), whitened by the codes' overall covariance.
        Assert.Equal(200, neighbours.Classes);
        Assert.Equal(overall.Whitening, neighbours.Whitening);
        var training = Enumerable.Range(0, 3000).Select(r => codes.Record(r).ToArray()).ToArray();
        for (var c = 0; c < 200; c++)
            Assert.Contains(training, row => row.AsSpan().SequenceEqual(neighbours.Means.AsSpan(c * 3, 3)));
        Assert.Equal(neighbours.Means, LatentDistance.FitNeighbours(codes, 200, seed: 4).Means);
        Assert.NotEqual(neighbours.Means, LatentDistance.FitNeighbours(codes, 200, seed: 5).Means);

        // Brute force, in double, from the definition: min over stored codes c of ‖(q − c)·W‖².
        var queries = CorrelatedCodes(50, 12);
        var actual = neighbours.Distances(queries);
        for (var q = 0; q < 50; q++)
        {
            var expected = double.PositiveInfinity;
            for (var c = 0; c < 200; c++)
            {
                double sum = 0;
                for (var j = 0; j < 3; j++)
                {
                    double z = 0;
                    for (var i = 0; i <= j; i++) z += (queries.Record(q)[i] - (double)neighbours.Means[c * 3 + i]) * neighbours.Whitening[i * 3 + j];
                    sum += z * z;
                }
                expected = Math.Min(expected, sum);
            }
            Assert.Equal(expected, actual[q], 1e-4 * Math.Max(expected, 1));
        }
        // A stored code is its own nearest neighbour.
        Assert.Equal(0f, neighbours.Distances(new FloatTensor(neighbours.Means[3..6], [1, 3]))[0], 1e-5);
    }

    [Fact]
    public void Fewer_training_codes_than_asked_are_all_kept()
    {
        var codes = CorrelatedCodes(40, 13);

        Assert.Equal(codes.Data, LatentDistance.FitNeighbours(codes, 100, seed: 1).Means);
        Assert.Throws<ArgumentException>(() => LatentDistance.FitNeighbours(codes, 1, seed: 1));
    }

    [Fact]
    public void The_nearest_code_finds_the_empty_space_between_two_modes_without_class_labels()
    {
        var codes = TwoClusters(4000, 14);
        var neighbours = LatentDistance.FitNeighbours(codes, 500, seed: 2);
        var overall = LatentDistance.Fit(codes);
        var between = new FloatTensor([0f, 0f], [1, 2]);
        var onAMode = new FloatTensor([5f, 0f], [1, 2]);

        // One mean sits between the modes and calls that point the most typical; the nearest code calls it far.
        Assert.True(overall.Distances(between)[0] < overall.Distances(onAMode)[0]);
        Assert.True(neighbours.Distances(between)[0] > 10 * neighbours.Distances(onAMode)[0],
            $"between {neighbours.Distances(between)[0]}, on a mode {neighbours.Distances(onAMode)[0]}");
    }

    [Fact]
    public void A_class_with_too_few_records_gets_no_mean_of_its_own()
    {
        var random = new Random(7);
        var data = Enumerable.Range(0, 200 * 2).Select(_ => (float)Normal(random)).ToArray();
        var classes = Enumerable.Range(0, 200).Select(r => r < LatentDistance.MinClassRecords - 1 ? 2 : r % 2).ToArray();

        Assert.Equal(2, LatentDistance.Fit(new FloatTensor(data, [200, 2]), classes).Classes);
    }

    [Fact]
    public void Encode_runs_the_encoder_half_up_to_the_bottleneck()
    {
        DenseLayer[] layers =
        [
            new(2, 2, [1, 0, 0, 1], [0, 0], Activation.Relu),
            new(2, 1, [1, 1], [0.5f], Activation.Identity),
            new(1, 2, [1, 1], [0, 0], Activation.Relu),
            new(2, 2, [1, 0, 0, 1], [0, 0], Activation.Identity),
        ];

        var codes = LatentDistance.Encode(layers, new FloatTensor([1f, 2f, -3f, 4f], [2, 2]));

        Assert.Equal([2, 1], codes.Shape);
        Assert.Equal([3.5f, 4.5f], codes.Data);
    }

    [Fact]
    public void An_odd_layer_stack_has_no_bottleneck_to_read()
    {
        DenseLayer[] layers = [new(2, 2, [1, 0, 0, 1], [0, 0], Activation.Identity)];

        Assert.Throws<ArgumentException>(() => LatentDistance.BottleneckIndex(layers));
    }
}

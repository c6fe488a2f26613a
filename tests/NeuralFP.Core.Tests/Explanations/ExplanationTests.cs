using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Explanations;

/// <summary>Explanations on real Fashion-MNIST test images, with the fingerprint's own scorer.</summary>
[Collection(InputLayerFingerprint.Collection)]
public sealed class ExplanationTests(InputLayerFingerprint fixture)
{
    private const int Side = FashionMnist.Side;

    /// <summary>
    /// A bright square pasted on the background of an image (a sticker, a glare) is what makes it odd: the input
    /// features the explanation names must lie inside it. The square goes where the image is dark (mean below 0.1, or the darkest window), so
    /// it really changes the record; a bright square on a bright garment is not an anomaly to explain.
    /// </summary>
    [Fact]
    public void Top_input_features_of_occluded_images_lie_inside_the_square()
    {
        const int images = 200, square = 8, topK = 10;
        var (records, corners) = Occluded(images, square);
        using var scorer = new FingerprintScorer(fixture.Fingerprint);
        var verdicts = scorer.Score(records);
        var explanations = scorer.Explainer.Explain(records, verdicts, topK);

        // Per image: how many of the top k lie inside the square, k = 1..10.
        var allInside = new int[topK + 1];
        var mostInside = 0;
        for (var i = 0; i < images; i++)
        {
            var top = explanations[i].Input!.TopFeatures;
            Assert.Equal(topK, top.Count);
            var (row, column) = corners[i];
            var inside = top.Select(f => f.Position[1] >= row && f.Position[1] < row + square && f.Position[2] >= column && f.Position[2] < column + square).ToArray();
            for (var k = 1; k <= topK; k++) if (inside.Take(k).All(x => x)) allInside[k]++;
            if (inside.Count(x => x) * 2 > topK) mostInside++;
        }
        var figures = $"all of the top k inside, k = 1..{topK}: {string.Join(", ", allInside.Skip(1))} of {images}; most of the top {topK}: {mostInside}";
        Assert.True(allInside[1] >= 0.9 * images, $"the top feature is inside the square in {allInside[1]} of {images} images (need ≥ 90%); {figures}");
        // The autoencoder blurs the square's edge into its neighbours, so lower-ranked features spill just outside it
        // (measured: most of the top 10 inside in 121 of 200); this guards against losing the locality altogether.
        Assert.True(mostInside >= 0.5 * images, $"most of the top {topK} are inside the square in {mostInside} of {images} images (need ≥ 50%); {figures}");
        Assert.True(verdicts.Count(v => v.Ood) > 0.9 * images, $"only {verdicts.Count(v => v.Ood)} of {images} occluded images are OOD");
    }

    /// <summary>Test images with a bright square pasted where each is dark, and the squares' top-left corners.</summary>
    private static (FloatTensor Records, (int Row, int Column)[] Corners) Occluded(int images, int square)
    {
        var test = FashionMnist.Test().Take(images).Images;
        var occluded = (float[])test.Data.Clone();
        var rng = new Random(2026);
        var corners = new (int Row, int Column)[images];
        for (var i = 0; i < images; i++)
        {
            var image = test.Record(i);
            var windows = new List<(double Mean, (int, int) Corner)>();
            for (var row = 0; row <= Side - square; row++)
                for (var column = 0; column <= Side - square; column++)
                    windows.Add((Mean(image, row, column, square), (row, column)));
            // Wide garments leave no dark 8x8 window: then the darkest one.
            var dark = windows.Where(w => w.Mean < 0.1).Select(w => w.Corner).DefaultIfEmpty(windows.MinBy(w => w.Mean).Corner).ToList();
            corners[i] = dark[rng.Next(dark.Count)];
            for (var y = 0; y < square; y++)
                for (var x = 0; x < square; x++)
                    occluded[i * Side * Side + (corners[i].Row + y) * Side + corners[i].Column + x] = 1f;
        }
        return (new FloatTensor(occluded, test.Shape), corners);
    }

    /// <summary>
    /// Under a density integration the fingerprint reads the input's largest regional error, and the explanation names
    /// that cell: it overlaps the pasted square, and its error is the statistic the scorer computed for the record.
    /// </summary>
    [Fact]
    public void The_largest_region_overlaps_the_pasted_square_and_its_error_is_the_statistic_the_verdict_read()
    {
        const int images = 100, square = 8;
        var options = InputLayerFingerprint.Options with { Integration = IntegrationKinds.NeighboursPerClass, InputRegionalGrid = 7, Detectors = [] };
        var fingerprint = FingerprintBuilder.Build(fixture.ModelBytes, FashionMnist.Train().Take(3000).Images, options, progress: null, CancellationToken.None).Fingerprint;
        var (records, corners) = Occluded(images, square);
        using var scorer = new FingerprintScorer(fingerprint);
        var k = scorer.StatisticCount;
        var statistics = new float[images * k];
        scorer.ComputeErrors(records, statistics, default, default);
        var explanations = scorer.Explainer.Explain(records, scorer.Score(records));

        var overlapping = 0;
        for (var i = 0; i < images; i++)
        {
            var region = explanations[i].Input!.LargestRegion!;
            Assert.Equal(0, region.Plane);
            Assert.Equal(4, region.Rows[1] - region.Rows[0]); // 28 / 7
            var expected = statistics[i * k + k - 1];         // the regional error is the last statistic
            Assert.True(Math.Abs(region.Error - expected) <= 1e-3 * Math.Max(expected, 1e-3), $"image {i}: explained {region.Error}, scored {expected}");
            Assert.InRange(region.Share, 0, 1);
            var (row, column) = corners[i];
            if (region.Rows[0] < row + square && row < region.Rows[1] && region.Columns[0] < column + square && column < region.Columns[1]) overlapping++;
        }
        Assert.True(overlapping >= 0.9 * images, $"the largest region overlaps the square in {overlapping} of {images} images (need ≥ 90%)");
    }

    [Fact]
    public void A_fingerprint_without_the_regional_statistic_names_no_region()
    {
        using var scorer = new FingerprintScorer(fixture.Fingerprint);
        var records = FashionMnist.Test().Take(5).Images;

        Assert.Null(fixture.Fingerprint.Manifest.InputRegionalErrorOutput); // the one-out rule reads errors only
        Assert.All(scorer.Explainer.Explain(records, scorer.Score(records)), e => Assert.Null(e.Input!.LargestRegion));
    }

    private static double Mean(ReadOnlySpan<float> image, int row, int column, int size)
    {
        double sum = 0;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++) sum += image[(row + y) * Side + column + x];
        return sum / (size * size);
    }

    [Fact]
    public void Contributions_add_up_to_the_input_layers_error_and_the_heatmap_holds_them()
    {
        var records = FashionMnist.Test().Select(Enumerable.Range(500, 5)).Images;
        using var scorer = new FingerprintScorer(fixture.Fingerprint);
        var verdicts = scorer.Score(records);
        var explanations = scorer.Explainer.Explain(records, verdicts, topK: Side * Side);
        for (var r = 0; r < records.Records; r++)
        {
            var input = explanations[r].Input!;
            var fused = verdicts[r].Layers.Single(l => l.Layer == "input").Error;
            // The cut graph computes the same squared residuals the fused error averages (float rounding only).
            Assert.Equal(fused, input.Error, fused * 1e-4 + 1e-7);
            Assert.Equal(input.Error, input.TopFeatures.Sum(f => f.Contribution), input.Error * 1e-4);
            Assert.Equal(input.Error, input.Heatmap!.Sum(row => row.Sum(v => (double)v)), input.Error * 1e-4);
            Assert.Equal(Side, input.Heatmap!.Length);
            Assert.True(input.TopFeatures.Zip(input.TopFeatures.Skip(1)).All(p => p.First.Contribution >= p.Second.Contribution));
            var first = input.TopFeatures[0];
            Assert.Equal(records.Record(r)[first.Index], first.Value);
            Assert.Equal(first.Index, first.Position[1] * Side + first.Position[2]);
        }
    }

    [Fact]
    public void The_deciding_layer_is_the_fired_layer_with_the_smallest_p_value()
    {
        var noise = OodSets.UniformNoise(50, seed: 3);
        using var scorer = new FingerprintScorer(fixture.Fingerprint);
        var verdicts = scorer.Score(noise);
        var explanations = scorer.Explainer.Explain(noise, verdicts);
        for (var r = 0; r < verdicts.Count; r++)
        {
            var fired = verdicts[r].Layers.Where(l => l.Fired).ToList();
            if (fired.Count == 0) continue;
            Assert.True(explanations[r].DecidingLayerFired);
            Assert.Equal(fired.Min(l => l.PValue), explanations[r].DecidingPValue);
            Assert.Contains(explanations[r].DecidingLayer, fired.Select(l => l.Layer));
        }
    }

    /// <summary>
    /// Under a density integration the deciding layer is the integration's (the layer behind the score's largest term),
    /// whether the explainer is given the batch or verdict objects picked from it (as the report's gallery does): a pasted
    /// square, which the input's regional error reads, is decided by the input layer.
    /// </summary>
    [Fact]
    public void Verdicts_picked_from_a_batch_keep_the_integrations_deciding_layer()
    {
        var options = InputLayerFingerprint.Options with { Integration = IntegrationKinds.NeighboursPerClass, InputRegionalGrid = 7, Detectors = [] };
        var fingerprint = FingerprintBuilder.Build(fixture.ModelBytes, FashionMnist.Train().Take(1500).Images, options, progress: null, CancellationToken.None).Fingerprint;
        var (records, _) = Occluded(20, 8);
        using var scorer = new FingerprintScorer(fingerprint);
        var batch = scorer.Score(records);
        var picked = scorer.Explainer.Explain(records, [.. batch]);
        for (var r = 0; r < batch.Count; r++)
            Assert.Equal(batch.Layers[batch.DecidingLayers[r]], picked[r].DecidingLayer);
        // Most squares are decided by the input layer (14 of 20 when this test was written).
        Assert.True(picked.Count(e => e.DecidingLayer == fingerprint.Manifest.InputName) > picked.Count / 2, string.Join(", ", picked.Select(e => e.DecidingLayer)));
    }

    [Fact]
    public void Without_an_input_layer_the_explanation_says_why_and_still_names_the_deciding_layer()
    {
        var options = InputLayerFingerprint.Options with { Layers = ["/8/Relu_output_0"], Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2 } };
        var fingerprint = FingerprintBuilder.Build(fixture.ModelBytes, FashionMnist.Train().Take(600).Images, options, progress: null, CancellationToken.None).Fingerprint;
        using var scorer = new FingerprintScorer(fingerprint);
        var records = FashionMnist.Test().Take(3).Images;
        var explanations = scorer.Explainer.Explain(records, scorer.Score(records));
        Assert.False(scorer.Explainer.HasInputFeatures);
        Assert.All(explanations, e =>
        {
            Assert.Null(e.Input);
            Assert.Contains("no autoencoder on the model input", e.InputUnavailableReason);
            Assert.Equal("/8/Relu_output_0", e.DecidingLayer);
        });
    }

    [Fact]
    public void Top_k_out_of_range_is_refused()
    {
        var records = FashionMnist.Test().Take(1).Images;
        using var scorer = new FingerprintScorer(fixture.Fingerprint);
        var verdicts = scorer.Score(records);
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Explainer.Explain(records, verdicts, topK: 0));
    }
}

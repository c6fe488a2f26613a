using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>Small batches run on a second, single-threaded session, and large ones may run split over it; either must
/// give exactly what the pooled session gives.</summary>
public sealed class InlineSmallBatchTests(SmallCnnFingerprint cnn) : IClassFixture<SmallCnnFingerprint>
{
    [Fact]
    public void Small_batches_inline_equal_the_pooled_session_bit_for_bit()
    {
        var images = FashionMnist.Test().Take(40);
        var records = images.Images;
        using var pooled = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: InlineSmallBatches.Off);
        using var inline = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: new InlineSmallBatches { MaxRecords = 8 });
        Assert.False(inline.HasInlineSession);
        foreach (var batch in new[] { 1, 2, 5, 8 })
        {
            for (var start = 0; start + batch <= records.Records; start += 13)
            {
                var slice = images.Select(Enumerable.Range(start, batch)).Images;
                var (expectedErrors, expectedClasses, expectedProbabilities) = Run(pooled, slice);
                var (errors, classes, probabilities) = Run(inline, slice);
                Assert.Equal(expectedErrors, errors);
                Assert.Equal(expectedClasses, classes);
                Assert.Equal(expectedProbabilities, probabilities);
            }
        }
        Assert.True(inline.HasInlineSession);
        Assert.False(pooled.HasInlineSession);
        var one = images.Select([3]).Images;
        Assert.Equal(pooled.Score(one).Scores.ToArray(), inline.Score(one).Scores.ToArray());
    }

    [Fact]
    public void Large_batches_split_into_single_threaded_runs_equal_the_pooled_session_bit_for_bit()
    {
        var images = FashionMnist.Test().Take(1100);
        using var pooled = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: InlineSmallBatches.Off);
        using var split = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: InlineSmallBatches.Default with { LargeBatchRuns = 3 });
        // 1,100: a chunk of 1,024 (four runs of 256 on three threads) and one of 76 (two runs); 70: two runs; 40: one.
        foreach (var batch in new[] { 1100, 70, 40 })
        {
            var records = images.Select(Enumerable.Range(0, batch)).Images;
            var (expectedErrors, expectedClasses, expectedProbabilities) = Run(pooled, records);
            var (errors, classes, probabilities) = Run(split, records);
            Assert.Equal(expectedErrors, errors);
            Assert.Equal(expectedClasses, classes);
            Assert.Equal(expectedProbabilities, probabilities);
            Assert.Equal(pooled.Score(records).Scores.ToArray(), split.Score(records).Scores.ToArray());
        }
        Assert.True(split.HasInlineSession);
    }

    [Fact]
    public void A_split_batch_is_cancelled_between_its_chunks()
    {
        var records = FashionMnist.Test().Take(1100).Images;
        using var split = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: InlineSmallBatches.Default with { LargeBatchRuns = 2 });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => split.Score(records, cancelled.Token));
    }

    [Fact]
    public void Batches_above_the_limit_and_scorers_above_the_size_limit_make_no_second_session()
    {
        var images = FashionMnist.Test().Take(9);
        var records = images.Images;
        var one = images.Select([0]).Images;
        using (var scorer = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: new InlineSmallBatches { MaxRecords = 8 }))
        {
            Run(scorer, records);
            Assert.False(scorer.HasInlineSession);
        }
        using (var tooLarge = new FingerprintScorer(cnn.Fingerprint, inlineSmallBatches: new InlineSmallBatches { MaxScorerBytes = cnn.Fingerprint.ScorerOnnx.Length - 1 }))
        {
            Run(tooLarge, one);
            Assert.False(tooLarge.HasInlineSession);
        }
        using var options = FingerprintScorer.CreateSessionOptions();
        using var given = new FingerprintScorer(cnn.Fingerprint, options);
        Run(given, one);
        Assert.False(given.HasInlineSession);
    }

    [Fact]
    public void Limits_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineSmallBatches { MaxRecords = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineSmallBatches { MaxRecords = InlineSmallBatches.LargestMaxRecords + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineSmallBatches { MaxScorerBytes = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineSmallBatches { LargeBatchRuns = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InlineSmallBatches { LargeBatchRuns = InlineSmallBatches.MaxLargeBatchRuns + 1 });
    }

    [Fact]
    public void A_disposed_scorer_refuses_small_batches_too()
    {
        var scorer = new FingerprintScorer(cnn.Fingerprint);
        var record = FashionMnist.Test().Take(1).Images;
        Run(scorer, record);
        Assert.True(scorer.HasInlineSession);
        scorer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Run(scorer, record));
    }

    private static (float[] Errors, int[] Classes, float[] Probabilities) Run(FingerprintScorer scorer, FloatTensor records)
    {
        var errors = new float[records.Records * scorer.StatisticCount];
        var classes = new int[records.Records];
        var probabilities = new float[records.Records];
        scorer.ComputeErrors(records, errors, classes, probabilities);
        return (errors, classes, probabilities);
    }
}

using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Detectors;

// Sun, Ming, Zhu & Li, "Out-of-Distribution Detection with Deep Nearest Neighbors", ICML 2022.
/// <summary>
/// Euclidean distance from the L2-normalised penultimate features to their k-th nearest neighbour in
/// a stored, seeded subsample of the L2-normalised reference features. The one detector here that
/// keeps reference data (the bank); its size is <see cref="KnnOptions.BankSize"/>.
/// </summary>
public sealed class KnnDetector : IOodDetector
{
    private const int QueryBlock = 8;

    /// <summary>Batches of at least this many records are scored on every core.</summary>
    private const int ParallelRecords = 1024;

    private int _features;
    private int _referenceCount;
    private float[]? _bank; // [M, D], unit rows

    public KnnDetector(KnnOptions? options = null)
    {
        Options = options ?? new KnnOptions();
        Options.Validate();
    }

    public KnnOptions Options { get; }

    public string Name => DetectorNames.Knn;

    public string Description => $"distance to the k = {Options.K}th nearest of {StoredRecords} stored L2-normalised reference feature vectors (subsample of {_referenceCount}, seed {Options.Seed}); KEEPS REFERENCE DATA — the only detector that does";

    public bool IsFitted => _bank is not null;

    public bool KeepsReferenceData => true;

    public long StateBytes => _bank is null ? 0 : sizeof(float) * (long)_bank.Length;

    /// <summary>Reference records kept in the bank.</summary>
    public int StoredRecords => _bank is null || _features == 0 ? 0 : _bank.Length / _features;

    public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default)
    {
        DetectorGuard.NotEmpty(reference, Name);
        var x = reference.RequirePenultimate(Name);
        var rows = Subsample.Choose(x.Records, Options.BankSize, Options.Seed);
        if (rows.Length < Options.K)
            throw new ArgumentException($"Detector '{Name}' needs at least K = {Options.K} reference records to find a {Options.K}th neighbour; got {rows.Length}. Lower K or give more reference records.");
        int d = x.RecordLength;
        var bank = new float[rows.Length * d];
        for (var i = 0; i < rows.Length; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            Normalise(x.Record(rows[i]), bank.AsSpan(i * d, d));
        }
        _features = d;
        _referenceCount = x.Records;
        _bank = bank;
    }

    public void Score(DetectorInputs records, Span<double> scores)
    {
        DetectorGuard.Fitted(IsFitted, Name);
        DetectorGuard.ScoreSpan(records, scores);
        var x = records.RequirePenultimate(Name);
        DetectorGuard.Width(x, _features, Name, "penultimate features");
        int d = _features, stored = StoredRecords, n = records.Records;
        var bank = _bank!;
        // Queries go through the bank in blocks so each bank row is loaded once per block, not once per record;
        // each query keeps its k smallest squared distances in a small heap. Blocks are independent: a large batch
        // (a build's calibration) spreads them over the cores; a request's batch stays on its thread, allocating nothing.
        int blocks = (n + QueryBlock - 1) / QueryBlock;
        if (n < ParallelRecords)
        {
            var buffers = RentBlockBuffers(d);
            try
            {
                for (var blockIndex = 0; blockIndex < blocks; blockIndex++) ScoreBlock(x, blockIndex, bank, buffers, scores);
            }
            finally
            {
                ReturnBlockBuffers(buffers);
            }
            return;
        }
        var results = new double[n];
        Parallel.For(0, blocks, () => RentBlockBuffers(d), (blockIndex, _, buffers) =>
        {
            ScoreBlock(x, blockIndex, bank, buffers, results);
            return buffers;
        }, ReturnBlockBuffers);
        results.CopyTo(scores);
    }

    private (float[] Queries, float[] Heaps, int[] Counts) RentBlockBuffers(int d) =>
        (ArrayPool<float>.Shared.Rent(QueryBlock * d), ArrayPool<float>.Shared.Rent(QueryBlock * Options.K), ArrayPool<int>.Shared.Rent(QueryBlock));

    private static void ReturnBlockBuffers((float[] Queries, float[] Heaps, int[] Counts) buffers)
    {
        ArrayPool<float>.Shared.Return(buffers.Queries);
        ArrayPool<float>.Shared.Return(buffers.Heaps);
        ArrayPool<int>.Shared.Return(buffers.Counts);
    }

    /// <summary>Scores the records of query block <paramref name="blockIndex"/> into <paramref name="scores"/> (indexed by record).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its inner loop runs stored × block times: not through tier 0
    private void ScoreBlock(FloatTensor x, int blockIndex, float[] bank, (float[] Queries, float[] Heaps, int[] Counts) buffers, Span<double> scores)
    {
        int d = _features, k = Options.K, stored = StoredRecords;
        int start = blockIndex * QueryBlock, block = Math.Min(QueryBlock, x.Records - start);
        var (queries, heaps, counts) = buffers;
        for (var b = 0; b < block; b++) Normalise(x.Record(start + b), queries.AsSpan(b * d, d));
        Array.Clear(counts, 0, block);
        for (var j = 0; j < stored; j++)
        {
            var row = bank.AsSpan(j * d, d);
            for (var b = 0; b < block; b++)
                KSmallest.Offer(heaps.AsSpan(b * k, k), ref counts[b], SquaredDistance.Compute(queries.AsSpan(b * d, d), row));
        }
        for (var b = 0; b < block; b++) scores[start + b] = Math.Sqrt(KSmallest.Kth(heaps.AsSpan(b * k, k)));
    }

    public DetectorState Save() => new KnnState
    {
        K = Options.K,
        BankSize = Options.BankSize,
        Seed = Options.Seed,
        Features = _features,
        ReferenceCount = _referenceCount,
        Bank = _bank ?? throw new InvalidOperationException($"Detector '{Name}' is not fitted; call Fit first."),
    };

    internal static KnnDetector Load(KnnState state)
    {
        state.EnsureReadable(DetectorNames.Knn);
        DetectorState.Require(state.Features > 0 && state.Bank.Length % state.Features == 0 && state.Bank.Length / state.Features >= state.K,
            DetectorNames.Knn, "the bank is not a whole number of feature rows, or holds fewer than K rows");
        return new KnnDetector(new KnnOptions { K = state.K, BankSize = state.BankSize, Seed = state.Seed })
        {
            _features = state.Features,
            _referenceCount = state.ReferenceCount,
            _bank = state.Bank,
        };
    }

    /// <summary>x/‖x‖ (a zero vector stays zero).</summary>
    private static void Normalise(ReadOnlySpan<float> x, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(x);
        if (norm > 0) TensorPrimitives.Divide(x, norm, destination);
        else destination.Clear();
    }
}

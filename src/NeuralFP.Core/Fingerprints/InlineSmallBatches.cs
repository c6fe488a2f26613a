namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// When a scorer runs small batches on a second, single-threaded ONNX Runtime session inline on the calling thread
/// instead of the shared intra-op pool: batches of at most <see cref="MaxRecords"/> records (0 turns it off), and only
/// for scorer graphs of at most <see cref="MaxScorerBytes"/>, since the second session holds its own copy of the
/// weights (about the scorer file's size once more). Same graph, same outputs bit for bit; chosen by measurement
/// (<c>perf --small-batches</c>, docs/performance-history.md, "Small batches inline").
/// </summary>
public sealed record InlineSmallBatches
{
    /// <summary>The largest <see cref="MaxRecords"/>: one ONNX Runtime run's records.</summary>
    public const int LargestMaxRecords = ScorerSession.MaxRecordsPerRun;

    /// <summary>Batches up to 8 records inline, for scorers up to 64 MiB.</summary>
    public static InlineSmallBatches Default { get; } = new();

    /// <summary>
    /// For a process that scores one stream of records at a time (`nfp score`, `evaluate`, `match`): the defaults, with
    /// large batches split into one run per core. `nfp score` on 100,000 records took 0.77–0.91 of the time at under two
    /// thirds of the peak memory (README, "Performance"); the service keeps one pooled run per batch, since its concurrent
    /// requests already share the cores.
    /// </summary>
    public static InlineSmallBatches OneStream { get; } = new() { LargeBatchRuns = Environment.ProcessorCount };

    /// <summary>Every batch on the one session with the default options.</summary>
    public static InlineSmallBatches Off { get; } = new() { MaxRecords = 0 };

    /// <summary>Largest batch run inline; 0 = never.</summary>
    public int MaxRecords
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, LargestMaxRecords);
            field = value;
        }
    } = 8;

    /// <summary>
    /// Batches larger than <see cref="MaxRecords"/> (of at least 2 × <see cref="MinRecordsPerSplitRun"/> records) run as up
    /// to this many concurrent runs of consecutive records on the single-threaded session, each on its own thread, instead
    /// of one run on the pooled session, whose intra-op threads meet at every node; 1 = off. Needs <see cref="MaxRecords"/> > 0
    /// (the single-threaded session).
    /// </summary>
    public int LargeBatchRuns
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxLargeBatchRuns);
            field = value;
        }
    } = 1;

    /// <summary>The largest <see cref="LargeBatchRuns"/>.</summary>
    public const int MaxLargeBatchRuns = 64;

    /// <summary>Fewest records a split run gets: below it a run is mostly per-node cost, and the pooled session does better.</summary>
    public const int MinRecordsPerSplitRun = 32;

    /// <summary>Most records a split run gets: a quarter of one pooled run's (1,024), so a run's activations are a quarter too.</summary>
    public const int SplitRunRecords = 256;

    /// <summary>Largest scorer graph (bytes) given a second session; above it the weights are loaded once only.</summary>
    public long MaxScorerBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 64L << 20;

    internal bool AppliesTo(long scorerBytes) => MaxRecords > 0 && scorerBytes <= MaxScorerBytes;

    /// <summary>Bytes the second session may add for a scorer graph of <paramref name="scorerBytes"/> (its weights once more), 0 when it is not made.</summary>
    public long ExtraBytes(long scorerBytes) => AppliesTo(scorerBytes) ? scorerBytes : 0;
}

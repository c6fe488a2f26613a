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

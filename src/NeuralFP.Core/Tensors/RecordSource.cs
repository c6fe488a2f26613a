namespace NeuralFP.Core.Tensors;

/// <summary>
/// Records [N, ...] read batch by batch, so a consumer holds one batch rather than all of them. May be read more than
/// once (a fingerprint build reads its reference twice); every read gives the same records in the same order.
/// </summary>
public abstract class RecordSource
{
    /// <summary>Number of records (the first axis).</summary>
    public abstract int Records { get; }

    /// <summary>Shape of the whole array, records first.</summary>
    public abstract int[] Shape { get; }

    /// <summary>Values per record.</summary>
    public int RecordLength => Shape.Length <= 1 ? 1 : Shape[1..].Aggregate(1, (a, d) => checked(a * d));

    /// <summary>Consecutive batches of at most <paramref name="batchSize"/> records, in order, each a fresh tensor.</summary>
    /// <exception cref="NpyFormatException">The underlying file turns out malformed while it is read.</exception>
    public abstract IEnumerable<FloatTensor> Batches(int batchSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="Batches"/>, but a batch's array may be reused for the next one: each batch is valid only until the
    /// next is requested (for a reader that is done with a batch before it asks for another, such as a build's passes or
    /// a scoring run's chunks). A long read then makes no large-object garbage and touches no fresh pages per batch.
    /// </summary>
    public virtual IEnumerable<FloatTensor> ReusedBatches(int batchSize, CancellationToken cancellationToken = default) => Batches(batchSize, cancellationToken);

    /// <summary>Records already in memory (nothing is saved: they are held anyway).</summary>
    public static RecordSource FromTensor(FloatTensor records) => new TensorRecordSource(records);

    /// <summary>
    /// A .npy file read from a stream that <paramref name="open"/> gives anew for every read (a file, or a blob
    /// pinned to one version). The header is read and checked against <paramref name="maxBytes"/> at once.
    /// </summary>
    /// <exception cref="NpyFormatException">Malformed, unsupported or over the limit.</exception>
    public static RecordSource FromNpy(Func<Stream> open, long maxBytes = long.MaxValue) => new NpyRecordSource(open, maxBytes);

    private sealed class TensorRecordSource(FloatTensor records) : RecordSource
    {
        public override int Records => records.Records;

        public override int[] Shape => records.Shape;

        public override IEnumerable<FloatTensor> Batches(int batchSize, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
            if (records.Shape.Length == 0) throw new InvalidRecordsException("Expected a batch of records but got a scalar (shape []). Put the records on the first axis.");
            for (var start = 0; start < records.Records; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return records.Slice(start, Math.Min(batchSize, records.Records - start));
            }
        }
    }

    private sealed class NpyRecordSource : RecordSource
    {
        private readonly Func<Stream> _open;
        private readonly long _maxBytes;
        private readonly Npy.NpyLayout _layout;

        public NpyRecordSource(Func<Stream> open, long maxBytes)
        {
            ArgumentNullException.ThrowIfNull(open);
            _open = open;
            _maxBytes = maxBytes;
            using var stream = open();
            _layout = Npy.ReadLayout(stream, maxBytes);
            if (_layout.Shape.Length == 0)
                throw new InvalidRecordsException("Expected a batch of records but got a scalar (shape []). Put the records on the first axis.");
            // A seekable stream shows a truncated or padded file at once, before a build starts on it.
            if (stream.CanSeek) Npy.CheckDataLength(_layout, stream.Length - stream.Position);
        }

        public override int Records => _layout.Shape[0];

        public override int[] Shape => _layout.Shape;

        public override IEnumerable<FloatTensor> Batches(int batchSize, CancellationToken cancellationToken = default) => Read(batchSize, reuse: false, cancellationToken);

        public override IEnumerable<FloatTensor> ReusedBatches(int batchSize, CancellationToken cancellationToken = default) => Read(batchSize, reuse: true, cancellationToken);

        private IEnumerable<FloatTensor> Read(int batchSize, bool reuse, CancellationToken cancellationToken)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
            using var stream = _open();
            var layout = Npy.ReadLayout(stream, _maxBytes);
            if (!layout.Shape.AsSpan().SequenceEqual(_layout.Shape) || layout.Dtype != _layout.Dtype)
                throw new InvalidOperationException("The .npy file changed between two reads of it; pin the source to one version.");
            var length = RecordLength;
            long done = 0;
            float[]? reused = null;
            for (var start = 0; start < Records; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batchSize, Records - start);
                // A reused array saves a large-object allocation per batch (the garbage a long pass would pile up).
                var data = reuse && count == batchSize ? (reused ??= new float[checked(count * length)]) : new float[checked(count * length)];
                Npy.ReadValues(stream, layout, done, data);
                done += data.Length;
                yield return new FloatTensor(data, [count, .. layout.Shape[1..]]);
            }
            Npy.RequireEnd(stream, layout);
        }
    }
}

using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// Reads the reference batch by batch for a build: checks each batch (record shape, finite values), hashes the
/// records on the way and notices whether they vary at all, so the whole reference is never held at once.
/// </summary>
internal sealed class ReferenceReader(RecordSource source, int[] inputShape)
{
    private byte[]? _sha256;
    private bool _varies;

    public int Records => source.Records;

    /// <summary>SHA-256 of the float32 records in order (as if hashed from one array); known after <see cref="ReadAll"/>.</summary>
    public string Sha256 => Convert.ToHexStringLower(_sha256 ?? throw new InvalidOperationException("Read the reference first."));

    /// <summary>
    /// The first pass: every record checked and hashed, and the records at <paramref name="keep"/> (sorted ascending)
    /// yielded in batches of up to <paramref name="batchSize"/> of the model's record shape; the others are only read.
    /// Each batch is valid until the next is requested (arrays are reused).
    /// </summary>
    /// <exception cref="InvalidRecordsException">A record holds NaN or ±∞.</exception>
    public IEnumerable<FloatTensor> ReadAll(int[] keep, int batchSize, CancellationToken cancellationToken) =>
        Pack(Checked(batchSize, cancellationToken), keep, batchSize);

    private IEnumerable<FloatTensor> Checked(int batchSize, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        float[]? first = null;
        var start = 0;
        foreach (var raw in source.ReusedBatches(batchSize, cancellationToken))
        {
            var batch = RecordValidator.Validate(raw, inputShape, start);
            hash.AppendData(MemoryMarshal.AsBytes(batch.Data.AsSpan()));
            first ??= batch.Record(0).ToArray();
            for (var r = 0; r < batch.Records && !_varies; r++) _varies = !batch.Record(r).SequenceEqual(first);
            start += batch.Records;
            yield return batch;
        }
        _sha256 = hash.GetHashAndReset();
    }

    /// <summary>
    /// Identical records (e.g. all ones) give every layer a zero spread: the autoencoders learn nothing and the held-out
    /// errors tie, so no threshold can be calibrated. Call after <see cref="ReadAll"/>.
    /// </summary>
    /// <exception cref="InvalidRecordsException">Every record equals the first.</exception>
    public void RequireVariation()
    {
        if (!_varies)
            throw new InvalidRecordsException(
                $"All {Records} reference records are identical; a fingerprint learns the spread of the training data. Upload a sample of the real training records.");
    }

    /// <summary>A second pass yielding only the records at <paramref name="indices"/> (sorted ascending), in batches of up to <paramref name="batchSize"/>, each valid until the next is requested.</summary>
    public IEnumerable<FloatTensor> Read(int[] indices, int batchSize, CancellationToken cancellationToken) =>
        Pack(source.ReusedBatches(batchSize, cancellationToken), indices, batchSize);

    /// <summary>
    /// The records at <paramref name="indices"/> (sorted ascending) of <paramref name="batches"/>, packed into batches;
    /// every batch is read to its end. One array is reused: a batch is valid until the next is requested.
    /// </summary>
    private IEnumerable<FloatTensor> Pack(IEnumerable<FloatTensor> batches, int[] indices, int batchSize)
    {
        var recordLength = source.RecordLength;
        var buffer = new float[checked(Math.Min(batchSize, Math.Max(indices.Length, 1)) * recordLength)];
        var capacity = buffer.Length / recordLength;
        var full = new FloatTensor(buffer, [capacity, .. inputShape]);
        int next = 0, filled = 0, start = 0;
        foreach (var raw in batches)
        {
            for (; next < indices.Length && indices[next] < start + raw.Records; next++)
            {
                raw.Record(indices[next] - start).CopyTo(buffer.AsSpan(filled * recordLength, recordLength));
                if (++filled == capacity)
                {
                    yield return full;
                    filled = 0;
                }
            }
            start += raw.Records;
        }
        if (filled > 0) yield return new FloatTensor(buffer[..(filled * recordLength)], [filled, .. inputShape]);
    }
}

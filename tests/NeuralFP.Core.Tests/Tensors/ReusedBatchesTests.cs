using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>
/// A .npy read with one buffer for every full batch (as <c>nfp score</c> reads its chunks) gives the same records in the
/// same order as fresh batches, and does reuse the buffer: a batch is valid only until the next one is asked for.
/// </summary>
public sealed class ReusedBatchesTests
{
    private static (RecordSource Source, float[] Values) TenRecordsOfThree()
    {
        var values = Enumerable.Range(0, 30).Select(i => i * 0.5f).ToArray();
        var bytes = Npy.ToBytes(new FloatTensor(values, [10, 3]));
        return (RecordSource.FromNpy(() => new MemoryStream(bytes)), values);
    }

    [Fact]
    public void Reused_batches_hold_the_same_records_as_fresh_ones()
    {
        var (source, values) = TenRecordsOfThree();
        var reused = source.ReusedBatches(4).Select(b => (b.Shape.ToArray(), b.Data.ToArray())).ToList();
        var fresh = source.Batches(4).Select(b => (b.Shape.ToArray(), b.Data.ToArray())).ToList();

        Assert.Equal([[4, 3], [4, 3], [2, 3]], reused.Select(b => b.Item1));
        Assert.Equal(fresh.Select(b => b.Item2), reused.Select(b => b.Item2));
        Assert.Equal(values, reused.SelectMany(b => b.Item2));
    }

    [Fact]
    public void Full_batches_share_one_buffer_and_fresh_batches_do_not()
    {
        var (source, _) = TenRecordsOfThree();
        var reused = source.ReusedBatches(4).Take(2).Select(b => b.Data).ToList();
        var fresh = source.Batches(4).Take(2).Select(b => b.Data).ToList();

        Assert.Same(reused[0], reused[1]);
        Assert.NotSame(fresh[0], fresh[1]);
    }
}

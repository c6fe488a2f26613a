using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>
/// Reading into pooled arrays (as the service decodes request bodies) gives exactly what a fresh read gives, for every
/// dtype numpy writes, even into an array a previous, different body left dirty; the pool hands back arrays of the
/// exact length, reuses them and stays within its bounds.
/// </summary>
public sealed class NpyPooledReadTests
{
    public static TheoryData<string> Fixtures => [.. Directory.GetFiles(Path.GetDirectoryName(NpyFixtures.PathOf("x"))!, "*.npy")
        .Select(Path.GetFileName).Where(name => IsReadable(name!)).Select(name => name!)];

    private static bool IsReadable(string name)
    {
        try
        {
            Npy.Read(NpyFixtures.Bytes(name));
            return true;
        }
        catch (NpyFormatException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_pooled_read_into_a_dirty_array_equals_a_fresh_read(string name)
    {
        var bytes = NpyFixtures.Bytes(name);
        var fresh = Npy.Read(bytes);
        var pool = new FloatArrayPool(arraysPerLength: 1, lengths: 4);
        var dirty = pool.Rent(fresh.Data.Length);
        Array.Fill(dirty, float.NaN);
        pool.Return(dirty);

        var pooled = Npy.Read(bytes, pool.Rent);

        Assert.Equal(fresh.Shape, pooled.Shape);
        Assert.Equal(fresh.Data, pooled.Data);
        if (fresh.Data.Length > 0) Assert.Same(dirty, pooled.Data);
    }

    [Fact]
    public void The_pool_gives_exact_lengths_reuses_them_and_keeps_within_its_bounds()
    {
        var pool = new FloatArrayPool(arraysPerLength: 2, lengths: 2);
        var a = pool.Rent(10);
        var b = pool.Rent(10);
        var c = pool.Rent(10);
        Assert.Equal(10, a.Length);
        pool.Return(a);
        pool.Return(b);
        pool.Return(c); // a third array of one length is not kept
        var again = new[] { pool.Rent(10), pool.Rent(10), pool.Rent(10) };
        Assert.Equal(2, again.Count(x => ReferenceEquals(x, a) || ReferenceEquals(x, b)));
        Assert.DoesNotContain(again, x => ReferenceEquals(x, c));

        pool.Return(new float[20]);
        var d = new float[30];
        pool.Return(d); // a third length is not kept
        Assert.NotSame(d, pool.Rent(30));
        Assert.Equal(20, pool.Rent(20).Length);
    }

    [Fact]
    public void An_allocator_of_the_wrong_length_is_refused()
    {
        var bytes = Npy.ToBytes(new FloatTensor([1, 2, 3, 4], [2, 2]));
        Assert.Throws<ArgumentException>(() => Npy.Read(bytes, count => new float[count + 1]));
    }
}

using System.Collections.Concurrent;

namespace NeuralFP.Core.Tensors;

/// <summary>
/// Float arrays of exact lengths, kept for reuse: request bodies of a service arrive in a few recurring sizes (a batch
/// of 256 of one model's records), and a <see cref="FloatTensor"/> needs an array of exactly its length, which
/// <see cref="System.Buffers.ArrayPool{T}"/> (power-of-two buckets) does not give. Bounded: at most
/// <c>arraysPerLength</c> arrays for each of at most <c>lengths</c> lengths; beyond that, arrays are left to the GC.
/// Thread-safe.
/// </summary>
public sealed class FloatArrayPool(int arraysPerLength, int lengths)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = new();

    /// <summary>Two arrays per core, for up to 8 distinct lengths.</summary>
    public static FloatArrayPool Shared { get; } = new(2 * Environment.ProcessorCount, 8);

    /// <summary>An array of exactly <paramref name="length"/> values; its contents are whatever the last user left.</summary>
    public float[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return _free.TryGetValue(length, out var bag) && bag.TryTake(out var array) ? array : new float[length];
    }

    /// <summary>Hands an array back; the caller must not use it afterwards.</summary>
    public void Return(float[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0) return;
        if (!_free.TryGetValue(array.Length, out var bag))
        {
            if (_free.Count >= lengths) return;
            bag = _free.GetOrAdd(array.Length, _ => []);
        }
        if (bag.Count < arraysPerLength) bag.Add(array);
    }
}

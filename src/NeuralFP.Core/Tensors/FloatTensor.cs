namespace NeuralFP.Core.Tensors;

/// <summary>
/// A dense, C-ordered float32 tensor. The first dimension is the record (batch) axis wherever a
/// tensor holds records.
/// </summary>
public sealed class FloatTensor
{
    public FloatTensor(float[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape dimensions must be non-negative; got [{string.Join(",", shape)}].", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] holds {count} values but {data.Length} were given.", nameof(data));
        Data = data;
        Shape = shape;
        RecordLength = shape.Length == 0 ? 1 : shape.Skip(1).Aggregate(1, (a, b) => a * b);
    }

    public float[] Data { get; }

    public int[] Shape { get; }

    /// <summary>Number of records: the size of the first dimension.</summary>
    public int Records => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Values per record: the product of every dimension after the first.</summary>
    public int RecordLength { get; }

    /// <summary>The shape of one record (every dimension after the first).</summary>
    public int[] RecordShape => Shape.Length == 0 ? [] : Shape[1..];

    public ReadOnlySpan<float> Record(int index) => Data.AsSpan(index * RecordLength, RecordLength);

    public override string ToString() => $"FloatTensor[{string.Join(",", Shape)}]";
}

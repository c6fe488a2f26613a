namespace NeuralFP.Core.Tensors;

/// <summary>Row selection on [N, ...] tensors.</summary>
public static class TensorRows
{
    /// <summary>A new tensor holding the given records, in the given order.</summary>
    public static FloatTensor Gather(this FloatTensor tensor, ReadOnlySpan<int> records)
    {
        var length = tensor.RecordLength;
        var data = new float[records.Length * length];
        for (var i = 0; i < records.Length; i++)
            tensor.Data.AsSpan(records[i] * length, length).CopyTo(data.AsSpan(i * length, length));
        var shape = (int[])tensor.Shape.Clone();
        shape[0] = records.Length;
        return new FloatTensor(data, shape);
    }

    /// <summary>Records [start, start + count) without copying the rest.</summary>
    public static FloatTensor Slice(this FloatTensor tensor, int start, int count)
    {
        var length = tensor.RecordLength;
        var shape = (int[])tensor.Shape.Clone();
        shape[0] = count;
        return new FloatTensor(tensor.Data.AsSpan(start * length, count * length).ToArray(), shape);
    }
}

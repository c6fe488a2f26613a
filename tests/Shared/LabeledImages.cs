using NeuralFP.Core.Tensors;

namespace NeuralFP.TestData;

/// <summary>Images [N,1,H,W] (or table rows [N,F]) with one class label per record.</summary>
public sealed class LabeledImages
{
    public LabeledImages(FloatTensor images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Records != labels.Length)
            throw new ArgumentException($"{images.Records} images but {labels.Length} labels.", nameof(labels));
        Images = images;
        Labels = labels;
    }

    public FloatTensor Images { get; }

    public int[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>The first <paramref name="count"/> records, in order (copies).</summary>
    public LabeledImages Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        return Select(Enumerable.Range(0, count));
    }

    /// <summary>Records whose label is in [<paramref name="fromClass"/>, <paramref name="toClass"/>], in order.</summary>
    public LabeledImages WhereClass(int fromClass, int toClass)
    {
        if (fromClass > toClass)
            throw new ArgumentException($"Class range [{fromClass},{toClass}] is empty; fromClass must be <= toClass.");
        return Select(Enumerable.Range(0, Count).Where(i => Labels[i] >= fromClass && Labels[i] <= toClass));
    }

    /// <summary>Labels shifted by <paramref name="offset"/> (e.g. -5 maps classes 5..9 to 0..4, as the 5to9 model expects).</summary>
    public LabeledImages WithLabelOffset(int offset) => new(Images, Labels.Select(l => l + offset).ToArray());

    /// <summary>The records at <paramref name="indices"/>, in the given order.</summary>
    public LabeledImages Select(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var picked = indices.ToArray();
        var length = Images.RecordLength;
        var data = new float[picked.Length * length];
        var labels = new int[picked.Length];
        for (var r = 0; r < picked.Length; r++)
        {
            Images.Record(picked[r]).CopyTo(data.AsSpan(r * length, length));
            labels[r] = Labels[picked[r]];
        }
        return new LabeledImages(new FloatTensor(data, [picked.Length, .. Images.RecordShape]), labels);
    }
}

namespace NeuralFP.Core.Tensors;

/// <summary>Shapes as they appear in error messages: <c>[N,1,28,28]</c>.</summary>
internal static class ShapeText
{
    public static string Format(IEnumerable<int> shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>The batch shape for a record shape, with the record axis written as N.</summary>
    public static string Batch(IEnumerable<int> recordShape) => "[N" + string.Concat(recordShape.Select(d => "," + d)) + "]";

    /// <summary>Values in one record of this shape; the shape's dimensions must be positive.</summary>
    public static int RecordLength(int[] recordShape, string paramName)
    {
        ArgumentNullException.ThrowIfNull(recordShape, paramName);
        long length = 1;
        foreach (int d in recordShape)
        {
            if (d <= 0)
                throw new ArgumentException($"Record shape dimensions must be positive; got {Format(recordShape)}.", paramName);
            length *= d;
            if (length > Array.MaxLength)
                throw new ArgumentException($"Record shape {Format(recordShape)} holds more values than an array can.", paramName);
        }
        return (int)length;
    }
}

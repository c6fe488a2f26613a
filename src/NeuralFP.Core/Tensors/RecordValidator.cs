using System.Numerics.Tensors;

namespace NeuralFP.Core.Tensors;

/// <summary>Checks a batch before scoring: non-empty, the model's record shape, finite values.</summary>
public static class RecordValidator
{
    /// <summary>
    /// Returns <paramref name="records"/> reshaped to [N, ...recordShape] when it holds N records of the right length
    /// (so [N,784] is accepted for a [1,28,28] model); the data is shared, not copied.
    /// </summary>
    /// <exception cref="InvalidRecordsException">What is wrong, with the expected and actual shapes.</exception>
    /// <param name="firstRecord">Index of the first of these records in a larger set read batch by batch (for the messages).</param>
    public static FloatTensor Validate(FloatTensor records, int[] recordShape, int firstRecord = 0)
    {
        ArgumentNullException.ThrowIfNull(records);
        ValidateShape(records.Shape, recordShape);

        if (!TensorPrimitives.IsFiniteAll<float>(records.Data))
            throw NonFinite(records, firstRecord);

        return records.Shape.AsSpan(1).SequenceEqual(recordShape)
            ? records
            : new FloatTensor(records.Data, [records.Records, .. recordShape]);
    }

    /// <summary>The shape checks of <see cref="Validate"/> alone, for records not read yet: non-empty, N records of the model's record length.</summary>
    /// <exception cref="InvalidRecordsException">What is wrong, with the expected and actual shapes.</exception>
    public static void ValidateShape(int[] shape, int[] recordShape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int expectedLength = ShapeText.RecordLength(recordShape, nameof(recordShape));
        string expected = ShapeText.Batch(recordShape);
        string actual = ShapeText.Format(shape);

        if (shape.Length == 0)
            throw new InvalidRecordsException(
                $"Expected a batch of shape {expected} but got a scalar (shape []). Put the records on the first axis.");
        if (shape[0] == 0)
            throw new InvalidRecordsException(
                $"The batch is empty (shape {actual}); send at least one record, shape {expected}.");
        long recordLength = 1;
        foreach (var d in shape.AsSpan(1)) recordLength *= d;
        if (recordLength != expectedLength)
        {
            string hint = shape.Length == 1 && shape[0] == expectedLength
                ? " A single record still needs the batch axis: shape [1,…]."
                : "";
            throw new InvalidRecordsException(
                $"Expected records of shape {expected} (or [N,{expectedLength}]), {expectedLength} values each, but got shape {actual} with {recordLength} values per record.{hint}");
        }

        // Same element count is not enough: [N,32,32,3] must not pass for [N,3,32,32]. Accept the exact record shape,
        // or flat records [N, L] (read in C order), which cannot be mistaken for another layout.
        var recordDims = shape.AsSpan(1);
        if (!recordDims.SequenceEqual(recordShape) && recordDims.Length != 1)
            throw new InvalidRecordsException(
                $"Expected records of shape {expected} (or flat [N,{expectedLength}]) but got shape {actual}: the same number of values in another layout. Transpose the records to the model's layout (e.g. channels first) or send them flat.");
    }

    // Only on the failure path: find where the first bad value is so the message can point at it.
    private static InvalidRecordsException NonFinite(FloatTensor records, int firstRecord)
    {
        int index = 0;
        while (float.IsFinite(records.Data[index])) index++;
        int record = firstRecord + index / records.RecordLength;
        int position = index % records.RecordLength;
        return new InvalidRecordsException(
            $"Record {record} has a non-finite value ({records.Data[index].ToString(System.Globalization.CultureInfo.InvariantCulture)}) at position {position}; every value must be a finite number (no NaN or Infinity).");
    }
}

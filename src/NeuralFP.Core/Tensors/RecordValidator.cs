namespace NeuralFP.Core.Tensors;

/// <summary>Checks a batch before scoring: non-empty, the model's record shape, finite values.</summary>
public static class RecordValidator
{
    /// <summary>Returns <paramref name="records"/> reshaped to [N, ...recordShape] when it holds N records of the right length.</summary>
    /// <exception cref="InvalidRecordsException">What is wrong, with the expected and actual shapes.</exception>
    public static FloatTensor Validate(FloatTensor records, int[] recordShape) => throw new NotImplementedException();
}

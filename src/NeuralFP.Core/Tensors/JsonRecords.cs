using System.Text.Json;

namespace NeuralFP.Core.Tensors;

/// <summary>Records as JSON: an array of records, each a (nested) array of numbers matching the record shape.</summary>
public static class JsonRecords
{
    /// <summary>Parses <c>[[…],[…]]</c> into an [N, ...recordShape] tensor. Records may be flat or nested.</summary>
    /// <exception cref="InvalidRecordsException">Empty batch, wrong length, non-numbers, NaN or infinity.</exception>
    public static FloatTensor Parse(JsonElement records, int[] recordShape) => throw new NotImplementedException();
}

using System.Text.Json;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Well-formed JSON records, flat or nested, become an [N, ...recordShape] tensor.</summary>
public sealed class JsonRecordsParseTests
{
    [Fact]
    public void Flat_records_take_the_record_shape()
    {
        var tensor = Parse("[[1,2,3,4,5,6],[7,8,9,10,11,12]]", [2, 3]);

        Assert.Equal([2, 2, 3], tensor.Shape);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (float)i), tensor.Data);
    }

    [Fact]
    public void Nested_records_matching_the_shape_are_flattened_in_C_order()
    {
        var tensor = Parse("[[[[1,2,3],[4,5,6]]],[[[7,8,9],[10,11,12]]]]", [1, 2, 3]);

        Assert.Equal([2, 1, 2, 3], tensor.Shape);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (float)i), tensor.Data);
    }

    [Fact]
    public void Flat_and_nested_records_may_be_mixed_in_one_batch()
    {
        var tensor = Parse("[[1,2,3,4],[[5,6],[7,8]]]", [2, 2]);

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (float)i), tensor.Data);
    }

    [Fact]
    public void Numbers_in_any_JSON_form_are_read_as_float32()
    {
        var tensor = Parse("[[-1.5e-3, 0, 2E2, 0.1]]", [4]);

        Assert.Equal([-1.5e-3f, 0f, 200f, 0.1f], tensor.Data);
    }

    [Fact]
    public void Scalar_records_may_be_bare_numbers()
    {
        var tensor = Parse("[1.5, [2.5]]", []);

        Assert.Equal([2], tensor.Shape);
        Assert.Equal([1.5f, 2.5f], tensor.Data);
    }

    private static FloatTensor Parse(string json, int[] recordShape)
    {
        using var document = JsonDocument.Parse(json);
        return JsonRecords.Parse(document.RootElement, recordShape);
    }
}

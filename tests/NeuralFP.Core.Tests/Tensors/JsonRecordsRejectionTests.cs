using System.Text.Json;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Bad JSON records are refused with the record index and the problem.</summary>
public sealed class JsonRecordsRejectionTests
{
    [Fact]
    public void An_empty_batch_is_refused()
    {
        var e = Reject("[]", [3]);

        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void A_non_array_body_is_refused()
    {
        var e = Reject("{\"records\": []}", [3]);

        Assert.Contains("got a JSON object", e.Message);
    }

    [Fact]
    public void A_flat_record_of_the_wrong_length_names_expected_and_actual()
    {
        var e = Reject("[[1,2,3],[1,2]]", [3]);

        Assert.Contains("Record 1", e.Message);
        Assert.Contains("has 2 values; expected 3", e.Message);
    }

    [Theory]
    [InlineData("[[1,\"x\",3]]", "value 1 is a string")]
    [InlineData("[[1,null,3]]", "value 1 is a JSON null")]
    [InlineData("[[1,true,3]]", "value 1 is a JSON boolean")]
    [InlineData("[[1,2,{}]]", "value 2 is a JSON object")]
    [InlineData("[[1,2,[3]]]", "value 2 is an array")]
    [InlineData("[7]", "is a JSON number; expected an array of 3 numbers")]
    public void Non_numbers_are_refused_with_their_position(string json, string expected)
    {
        var e = Reject(json, [3]);

        Assert.StartsWith("Record 0 ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("inf")]
    [InlineData("-inf")]
    public void NaN_and_infinity_spelled_as_strings_are_refused(string spelling)
    {
        var e = Reject($"[[0,0,0],[1,\"{spelling}\",3]]", [3]);

        Assert.Contains("Record 1", e.Message);
        Assert.Contains("NaN and Infinity are not allowed", e.Message);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e400")]
    public void Numbers_beyond_float32_are_refused(string number)
    {
        var e = Reject($"[[1,2,{number}]]", [3]);

        Assert.Contains("value 2", e.Message);
        Assert.Contains("outside the float32 range", e.Message);
    }

    [Fact]
    public void A_nested_record_with_a_short_row_names_the_row()
    {
        var e = Reject("[[[1,2,3],[4,5,6]],[[1,2,3],[4,5]]]", [2, 3]);

        Assert.Contains("Record 1", e.Message);
        Assert.Contains("element [1] has 2 entries, expected 3", e.Message);
    }

    [Fact]
    public void A_nested_record_with_too_few_rows_is_refused()
    {
        var e = Reject("[[[1,2,3]]]", [2, 3]);

        Assert.Contains("the record has 1 entries, expected 2", e.Message);
    }

    [Fact]
    public void A_nested_record_shallower_than_the_shape_is_refused()
    {
        var e = Reject("[[[1,2],[3,4]]]", [1, 2, 2]);

        Assert.Contains("record shape [1,2,2]", e.Message);
    }

    [Fact]
    public void A_nested_record_deeper_than_the_shape_is_refused()
    {
        var e = Reject("[[[1],[2],[3]]]", [3]);

        Assert.Contains("nested deeper", e.Message);
    }

    [Fact]
    public void A_number_where_a_row_belongs_is_refused()
    {
        var e = Reject("[[[1,2],5]]", [2, 2]);

        Assert.Contains("element [1] is a JSON number, expected an array of 2", e.Message);
    }

    private static InvalidRecordsException Reject(string json, int[] recordShape)
    {
        using var document = JsonDocument.Parse(json);
        return Assert.Throws<InvalidRecordsException>(() => JsonRecords.Parse(document.RootElement, recordShape));
    }
}

using System.Text;
using System.Text.Json;
using NeuralFP.Functions.Invocations;
using NeuralFP.Functions.LocalHost;

namespace NeuralFP.Functions.Tests.Contract;

/// <summary>Strings in host payloads arrive JSON-encoded, often twice; queue messages may still be base64.</summary>
public sealed class InvocationDecodingTests
{
    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"\\\"m-1\\\"\"", "m-1")]
    [InlineData("\"\\\"{\\\\\\\"a\\\\\\\":1}\\\"\"", "{\"a\":1}")]
    [InlineData("{\"a\":1}", "{\"a\":1}")]
    [InlineData("3", "3")]
    public void Decode_unwraps_every_level_of_string_encoding(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expected, InvocationRequest.Decode(document.RootElement));
    }

    [Fact]
    public void Payloads_built_by_the_local_host_read_back_through_the_handler_side()
    {
        var payload = InvocationPayloads.QueueMessage("ScoreBatch", "request", "{\"batchId\":\"b\"}", "id-1", "pop", 2, null, null, null);
        // What travels is text with the message as a JSON string inside a JSON string.
        var wire = payload.ToJsonString();
        Assert.Contains("\"request\":\"\\u0022{", wire.Replace("\\\"", "\\u0022", StringComparison.Ordinal), StringComparison.Ordinal);
        using var request = InvocationRequest.Parse(wire);
        Assert.Equal("{\"batchId\":\"b\"}", request.GetDataString("request"));
        Assert.Equal("id-1", request.GetMetadataString("Id"));
        Assert.Equal("2", request.GetMetadataString("DequeueCount"));
        Assert.Equal("ScoreBatch", InvocationRequest.Decode(request.Metadata.GetProperty("sys").GetProperty("MethodName")));
    }

    [Fact]
    public void Base64_message_text_is_unwrapped_but_json_is_left_alone()
    {
        const string message = "{\"batchId\":\"b\",\"modelId\":\"m\",\"records\":[[1]]}";
        Assert.Equal(message, InvocationRequest.UnwrapMessage(Convert.ToBase64String(Encoding.UTF8.GetBytes(message))));
        Assert.Equal(message, InvocationRequest.UnwrapMessage(message));
        Assert.Equal("not base64!", InvocationRequest.UnwrapMessage("not base64!"));
    }

    [Fact]
    public void A_payload_that_is_not_json_is_rejected_with_the_contract_named()
    {
        var error = Assert.Throws<InvalidInvocationException>(() => InvocationRequest.Parse("Data=1"));
        Assert.Contains("not JSON", error.Message, StringComparison.Ordinal);
    }
}

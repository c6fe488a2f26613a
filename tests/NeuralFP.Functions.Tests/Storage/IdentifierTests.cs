using NeuralFP.Application.Errors;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Registry;

namespace NeuralFP.Functions.Tests.Storage;

/// <summary>Model and batch ids become blob paths, row keys and URL segments: nothing after the last allowed character may slip through.</summary>
public sealed class IdentifierTests
{
    [Theory]
    [InlineData("fmnist-cnn\n")]
    [InlineData("fmnist-cnn\r\n")]
    [InlineData("nl\n")]
    [InlineData("a\nb")]
    [InlineData("")]
    [InlineData("-lead")]
    public void A_model_id_with_a_line_break_or_bad_start_is_refused(string modelId)
    {
        Assert.False(ModelIds.IsValid(modelId));
        Assert.Throws<InvalidModelIdException>(() => ModelIds.Validate(modelId));
    }

    [Theory]
    [InlineData("fmnist-cnn")]
    [InlineData("a")]
    [InlineData("v1.2_b-3")]
    public void Ordinary_model_ids_are_accepted(string modelId) => Assert.True(ModelIds.IsValid(modelId));

    [Fact]
    public void A_batch_id_with_a_trailing_newline_is_refused()
    {
        var error = Assert.Throws<InvalidScoreRequestException>(() =>
            ScoreRequest.Parse("{\"batchId\":\"e5-nl\\n\",\"modelId\":\"m\",\"records\":[[1]]}"));
        Assert.Contains("batchId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_id_with_a_trailing_newline_in_a_score_request_is_refused()
    {
        var error = Assert.Throws<InvalidScoreRequestException>(() =>
            ScoreRequest.Parse("{\"batchId\":\"e5\",\"modelId\":\"m\\n\",\"records\":[[1]]}"));
        Assert.Contains("modelId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ordinary_score_request_parses() =>
        Assert.Equal("e5-ok", ScoreRequest.Parse("{\"batchId\":\"e5-ok\",\"modelId\":\"m\",\"records\":[[1]]}").BatchId);
}

using NeuralFP.Functions.LocalHost;

namespace NeuralFP.Functions.Tests.LocalHost;

public sealed class BlobPathPatternTests
{
    [Fact]
    public void Matches_two_segment_names_and_captures_placeholders()
    {
        var pattern = BlobPathPattern.Parse("models/{modelId}/{name}");
        Assert.Equal(("models", ""), (pattern.Container, pattern.BlobPrefix));
        var values = pattern.Match("cnn-1/model.onnx");
        Assert.NotNull(values);
        Assert.Equal("cnn-1", values["modelId"]);
        Assert.Equal("model.onnx", values["name"]);
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("a/b/model.onnx")]
    public void Rejects_names_with_another_depth(string blobName)
        => Assert.Null(BlobPathPattern.Parse("models/{modelId}/{name}").Match(blobName));

    [Fact]
    public void Literal_prefix_limits_listing()
    {
        var pattern = BlobPathPattern.Parse("inbox/uploads/{file}.npy");
        Assert.Equal("uploads/", pattern.BlobPrefix);
        Assert.Equal("x", pattern.Match("uploads/x.npy")!["file"]);
        Assert.Null(pattern.Match("uploads/x.json"));
    }
}

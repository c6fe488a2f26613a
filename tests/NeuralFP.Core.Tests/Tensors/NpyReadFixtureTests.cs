using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Every supported dtype and header version, as numpy wrote it, reads to the right shape and float32 values.</summary>
public sealed class NpyReadFixtureTests
{
    public static TheoryData<string> Float32Variants => new()
    {
        "float32.npy", "float32_v2.npy", "float32_v3.npy", "float32_native_marker.npy",
    };

    [Theory]
    [MemberData(nameof(Float32Variants))]
    public void Float32_in_every_header_version_reads_the_same(string name)
    {
        var tensor = Npy.Read(NpyFixtures.Bytes(name));

        Assert.Equal([3, 4], tensor.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 0.25f - 1), tensor.Data);
    }

    [Fact]
    public void Float64_is_narrowed_to_float32()
    {
        var tensor = Npy.Read(NpyFixtures.Bytes("float64.npy"));

        Assert.Equal([2, 3], tensor.Shape);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)(i / 3.0)), tensor.Data);
    }

    [Theory]
    [InlineData("uint8.npy")]
    [InlineData("uint8_little_marker.npy")]
    public void Uint8_with_either_byte_order_marker_reads(string name)
    {
        var tensor = Npy.Read(NpyFixtures.Bytes(name));

        Assert.Equal([2, 2, 3], tensor.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 20f), tensor.Data);
    }

    [Fact]
    public void Int32_reads_signed_values()
    {
        var tensor = Npy.Read(NpyFixtures.Bytes("int32.npy"));

        Assert.Equal([2, 2], tensor.Shape);
        Assert.Equal([-5f, 0f, 5f, 100000f], tensor.Data);
    }

    [Fact]
    public void Int64_reads_signed_and_large_values()
    {
        var tensor = Npy.Read(NpyFixtures.Bytes("int64.npy"));

        Assert.Equal([4], tensor.Shape);
        Assert.Equal([-3f, 0f, 7f, 1099511627776f], tensor.Data);
    }

    [Fact]
    public void A_zero_dimensional_array_is_one_value_with_an_empty_shape()
    {
        var tensor = Npy.Read(NpyFixtures.Bytes("scalar_float32.npy"));

        Assert.Empty(tensor.Shape);
        Assert.Equal([2.5f], tensor.Data);
    }

    [Fact]
    public void An_array_with_a_zero_dimension_has_no_values()
    {
        var tensor = Npy.Read(NpyFixtures.Bytes("empty_float32.npy"));

        Assert.Equal([0, 3], tensor.Shape);
        Assert.Empty(tensor.Data);
    }

    [Theory]
    [MemberData(nameof(Float32Variants))]
    public void Reading_from_a_file_stream_matches_reading_the_bytes(string name)
    {
        using var stream = File.OpenRead(NpyFixtures.PathOf(name));

        var tensor = Npy.Read(stream);

        Assert.Equal(Npy.Read(NpyFixtures.Bytes(name)).Data, tensor.Data);
    }
}

using System.Buffers.Binary;
using System.Text;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Files NeuralFP cannot read are refused with a message that says what is wrong and what to do.</summary>
public sealed class NpyRejectionTests
{
    [Fact]
    public void Fortran_order_is_refused_with_the_fix()
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(NpyFixtures.Bytes("fortran_float32.npy")));

        Assert.Contains("np.ascontiguousarray", e.Message);
    }

    [Fact]
    public void Big_endian_is_refused()
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(NpyFixtures.Bytes("bigendian_float32.npy")));

        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void Object_arrays_are_refused_without_unpickling()
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(NpyFixtures.Bytes("object.npy")));

        Assert.Contains("object array", e.Message);
    }

    [Fact]
    public void An_unknown_dtype_is_refused_naming_the_accepted_ones()
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(NpyFixtures.Bytes("float16.npy")));

        Assert.Contains("'<f2'", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Bad_magic_is_refused()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");
        bytes[1] = (byte)'X';

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Input_shorter_than_the_preamble_is_refused()
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read("\u0093NUM"u8));

        Assert.Contains("shorter than the .npy preamble", e.Message);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Unsupported_versions_are_refused(byte major, byte minor)
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");
        bytes[6] = major;
        bytes[7] = minor;

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains($"version {major}.{minor}", e.Message);
    }

    [Fact]
    public void Truncated_data_is_refused_with_both_sizes()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes.AsSpan(0, bytes.Length - 5)));

        Assert.Contains("truncated", e.Message);
        Assert.Contains("48", e.Message);
        Assert.Contains("43", e.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_refused()
    {
        byte[] bytes = [.. NpyFixtures.Bytes("float32.npy"), 1, 2, 3, 4];

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("4 bytes after the data", e.Message);
    }

    [Fact]
    public void A_truncated_header_is_refused()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes.AsSpan(0, 40)));

        Assert.Contains("header should be 118 bytes", e.Message);
    }

    [Fact]
    public void A_negative_dimension_is_refused()
    {
        byte[] bytes = ReplaceInHeader(NpyFixtures.Bytes("float32.npy"), "(3, 4)", "(3,-4)");

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("negative dimension", e.Message);
    }

    [Fact]
    public void A_header_over_64_KiB_is_refused_before_it_is_read()
    {
        byte[] bytes = NpyFixtures.Bytes("float32_v2.npy");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 70_000);

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("70000 bytes", e.Message);
        Assert.Contains("65536", e.Message);
    }

    [Theory]
    [InlineData("'shape': (3, 4), ", "'shape': [3, 4], ", "expected '('")]
    [InlineData("'fortran_order': False", "'fortran_order': Nope ", "True or False")]
    [InlineData("'descr'", "'dtype'", "unexpected key 'dtype'")]
    [InlineData("{'descr'", "['descr'", "expected '{'")]
    public void A_malformed_header_dictionary_is_refused(string find, string replace, string expected)
    {
        byte[] bytes = ReplaceInHeader(NpyFixtures.Bytes("float32.npy"), find, replace);

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("malformed", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_header_missing_a_key_is_refused_naming_it()
    {
        byte[] bytes = ReplaceInHeader(NpyFixtures.Bytes("float32.npy"), "'fortran_order': False, ", new string(' ', 24));

        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(bytes));

        Assert.Contains("lacks 'fortran_order'", e.Message);
    }

    [Fact]
    public void The_same_faults_are_caught_when_reading_a_stream()
    {
        byte[] bytes = NpyFixtures.Bytes("float32.npy");

        var truncated = Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(bytes, 0, bytes.Length - 1)));
        var fortran = Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(NpyFixtures.Bytes("fortran_float32.npy"))));

        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("Fortran", fortran.Message);
    }

    /// <summary>Same-length edits keep the header length field valid, so only the dictionary is wrong.</summary>
    private static byte[] ReplaceInHeader(byte[] bytes, string find, string replace)
    {
        Assert.Equal(find.Length, replace.Length);
        string text = Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at > 0, $"'{find}' not in header");
        Encoding.Latin1.GetBytes(replace).CopyTo(bytes, at);
        return bytes;
    }
}

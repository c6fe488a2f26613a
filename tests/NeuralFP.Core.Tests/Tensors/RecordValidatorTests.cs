using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Tensors;

/// <summary>Batches are checked for count, record length and finiteness, and reshaped to the model's record shape.</summary>
public sealed class RecordValidatorTests
{
    [Fact]
    public void A_flat_batch_is_reshaped_to_the_record_shape_sharing_its_data()
    {
        var records = new FloatTensor(new float[3 * 784], [3, 784]);

        var valid = RecordValidator.Validate(records, [1, 28, 28]);

        Assert.Equal([3, 1, 28, 28], valid.Shape);
        Assert.Same(records.Data, valid.Data);
    }

    [Fact]
    public void A_batch_already_in_shape_is_returned_as_is()
    {
        var records = new FloatTensor(new float[8], [2, 2, 2]);

        Assert.Same(records, RecordValidator.Validate(records, [2, 2]));
    }

    [Fact]
    public void Channels_last_records_are_refused_for_a_channels_first_model_even_with_the_same_element_count()
    {
        var records = new FloatTensor(new float[2 * 32 * 32 * 3], [2, 32, 32, 3]);

        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(records, [3, 32, 32]));

        Assert.Contains("[N,3,32,32]", e.Message);
        Assert.Contains("[2,32,32,3]", e.Message);
        Assert.Contains("layout", e.Message);
    }

    [Fact]
    public void A_missing_channel_axis_is_refused_but_flat_records_are_accepted()
    {
        Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor(new float[2 * 784], [2, 28, 28]), [1, 28, 28]));

        Assert.Equal([2, 1, 28, 28], RecordValidator.Validate(new FloatTensor(new float[2 * 784], [2, 784]), [1, 28, 28]).Shape);
    }

    [Fact]
    public void An_empty_batch_is_refused()
    {
        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor([], [0, 4]), [4]));

        Assert.Contains("empty", e.Message);
        Assert.Contains("[0,4]", e.Message);
    }

    [Fact]
    public void A_wrong_record_length_names_expected_and_actual_shapes()
    {
        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor(new float[6], [2, 3]), [1, 2, 2]));

        Assert.Contains("[N,1,2,2]", e.Message);
        Assert.Contains("[N,4]", e.Message);
        Assert.Contains("[2,3]", e.Message);
    }

    [Fact]
    public void A_single_record_without_a_batch_axis_gets_a_hint()
    {
        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor(new float[4], [4]), [4]));

        Assert.Contains("shape [1,…]", e.Message);
    }

    [Fact]
    public void A_scalar_is_not_a_batch()
    {
        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor([1f], []), [1]));

        Assert.Contains("scalar", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void A_non_finite_value_is_refused_naming_record_and_position(float bad, string shown)
    {
        float[] data = new float[5 * 100];
        data[3 * 100 + 42] = bad; // past the first vector width, so the vectorised check must find it

        var e = Assert.Throws<InvalidRecordsException>(() => RecordValidator.Validate(new FloatTensor(data, [5, 100]), [100]));

        Assert.Contains("Record 3", e.Message);
        Assert.Contains("position 42", e.Message);
        Assert.Contains($"({shown})", e.Message);
    }
}

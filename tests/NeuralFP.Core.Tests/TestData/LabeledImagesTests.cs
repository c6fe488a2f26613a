using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

public class LabeledImagesTests
{
    [Fact]
    public void Take_keeps_the_first_records_in_order()
    {
        var test = FashionMnist.Test();

        var first = test.Take(5);

        Assert.Equal([5, 1, 28, 28], first.Images.Shape);
        Assert.Equal(test.Labels[..5], first.Labels);
        Assert.True(test.Images.Record(4).SequenceEqual(first.Images.Record(4)));
    }

    [Fact]
    public void Class_filter_keeps_only_the_range_and_the_offset_remaps_labels()
    {
        var upper = FashionMnist.Test().WhereClass(5, 9);

        Assert.Equal(5000, upper.Count);
        Assert.All(upper.Labels, l => Assert.InRange(l, 5, 9));
        var remapped = upper.WithLabelOffset(-5);
        Assert.Equal(upper.Labels.Select(l => l - 5), remapped.Labels);
    }

    [Fact]
    public void Empty_class_range_is_rejected_with_a_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => FashionMnist.Test().WhereClass(7, 3));

        Assert.Contains("fromClass must be <= toClass", error.Message);
    }
}

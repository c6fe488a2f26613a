using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

public class FashionMnistLoadingTests
{
    [Theory]
    [InlineData("train", 60000)]
    [InlineData("test", 10000)]
    public void Split_has_expected_shape_range_and_balanced_labels(string split, int expected)
    {
        var set = split == "train" ? FashionMnist.Train() : FashionMnist.Test();

        Assert.Equal([expected, 1, 28, 28], set.Images.Shape);
        Assert.Equal(expected, set.Labels.Length);
        Assert.All(set.Images.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, set.Images.Data.Max());
        // Fashion-MNIST is exactly balanced: every class has a tenth of each split.
        var perClass = set.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(c => (c, expected / 10)).ToArray(), perClass);
    }

    [Fact]
    public void First_test_images_equal_the_python_fixture()
    {
        var expected = Npy.Read(File.ReadAllBytes(RepoPaths.Fixture("data/fmnist_test_16.npy")));

        var actual = FashionMnist.Test().Take(16).Images;

        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Data, actual.Data);
    }

    [Fact]
    public void Missing_files_name_the_package_to_install()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-fashion-mnist-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load("t10k", missing));

        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
    }
}

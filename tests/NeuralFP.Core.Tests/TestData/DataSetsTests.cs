using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

public class DataSetsTests
{
    [Fact]
    public void Missing_data_file_names_the_script_that_builds_it()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataSets.PathOf("not_built_" + Guid.NewGuid().ToString("N") + ".npy"));

        Assert.Contains("tools/build_datasets.py", error.Message);
    }

    [Fact]
    public void Repository_root_holds_the_solution_and_fixtures()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "NeuralFP.Functions.sln")));
        Assert.True(File.Exists(RepoPaths.Model("fmnist_cnn.onnx")));
        Assert.Throws<FileNotFoundException>(() => RepoPaths.Fixture("models/absent.onnx"));
    }
}

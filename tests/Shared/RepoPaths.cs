namespace NeuralFP.TestData;

/// <summary>Locates the repository root and the committed test fixtures from any test's working directory.</summary>
public static class RepoPaths
{
    private const string SolutionFile = "NeuralFP.Functions.sln";

    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder that holds NeuralFP.Functions.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The folder of committed test fixtures: tests/fixtures.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    /// <summary>The git-ignored data folder that tools/build_datasets.py fills.</summary>
    public static string Data => Path.Combine(Root, "data");

    /// <summary>Full path of a file under tests/fixtures; throws naming the rebuild script when absent.</summary>
    public static string Fixture(string relativePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var path = Path.GetFullPath(Path.Combine(Fixtures, relativePath));
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Test fixture '{relativePath}' was not found at {path}. It is committed to the repository; " +
                "rebuild it with /usr/bin/python3 tools/build_models.py or tools/build_datasets.py.", path);
        return path;
    }

    /// <summary>Full path of a model fixture under tests/fixtures/models.</summary>
    public static string Model(string fileName) => Fixture(Path.Combine("models", fileName));

    private static string FindRoot()
    {
        // Start from the test assembly's folder (bin/...) and from the working directory, walking up.
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"Could not find {SolutionFile} above {AppContext.BaseDirectory}; run the tests from inside the repository.");
    }
}

namespace NeuralFP.Core.Tests.Support;

/// <summary>Finds committed fixtures by walking up from the test assembly to the solution folder (stand-in for tests/Shared/RepoPaths).</summary>
internal static class FixturePaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralFP.Functions.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No NeuralFP.Functions.sln above {AppContext.BaseDirectory}.");
    });

    public static string Model(string fileName)
    {
        var path = Path.Combine(Root.Value, "tests", "fixtures", "models", fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model fixture {path} is missing; build it with /usr/bin/python3 tools/build_models.py.", path);
        return path;
    }

    public static byte[] ModelBytes(string fileName) => File.ReadAllBytes(Model(fileName));
}

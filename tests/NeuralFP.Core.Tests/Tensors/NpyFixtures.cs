namespace NeuralFP.Core.Tests.Tensors;

/// <summary>The .npy files written by numpy (tools/make_npy_fixtures.py) under tests/fixtures/npy.</summary>
internal static class NpyFixtures
{
    private static readonly Lazy<string> Directory = new(FindDirectory);

    public static string PathOf(string name) => System.IO.Path.Combine(Directory.Value, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    private static string FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "tests", "fixtures", "npy");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures/npy not found above {AppContext.BaseDirectory}.");
    }
}

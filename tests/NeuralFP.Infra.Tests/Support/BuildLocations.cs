using System.Reflection;

namespace NeuralFP.Infra.Tests.Support;

/// <summary>Paths the test project's build stamps into the assembly (see the .csproj).</summary>
public static class BuildLocations
{
    public static string BicepExecutable => Read("BicepPath");

    public static string RepositoryRoot => Read("RepositoryRoot");

    public static string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    private static string Read(string key)
    {
        var value = typeof(BuildLocations).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException(
                $"Assembly metadata '{key}' is missing: build the test project with 'dotnet build' so the .csproj can stamp it.");
        }

        return value;
    }
}

using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Build;

/// <summary>Every template compiles and lints with no error, warning or info diagnostic.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class BicepCompilationTests(InfrastructureFixture infra)
{
    [Fact]
    public void MainTemplateBuildsToArmJsonWithoutDiagnostics()
    {
        Assert.True(infra.Build.IsClean, infra.Build.Describe());
        Assert.Contains("deploymentTemplate.json", infra.Template.Root.GetProperty("$schema").GetString());
    }

    [Fact]
    public async Task EveryBicepFileBuildsWithoutDiagnostics()
    {
        var files = Directory.GetFiles(BuildLocations.InfraDirectory, "*.bicep", SearchOption.AllDirectories);
        Assert.True(files.Length >= 2, "infra/ should hold main.bicep and its modules.");

        var outDir = Path.Combine(infra.ScratchDirectory, "build-all");
        var run = await infra.Bicep.RunAsync(
            BuildLocations.RepositoryRoot, "build", "--pattern", "infra/**/*.bicep", "--outdir", outDir);

        Assert.True(run.IsClean, run.Describe());
        var built = Directory.GetFiles(outDir, "*.json", SearchOption.AllDirectories);
        Assert.Equal(files.Length, built.Length);
    }

    [Fact]
    public async Task EveryBicepFileLintsWithoutDiagnostics()
    {
        var run = await infra.Bicep.RunAsync(BuildLocations.RepositoryRoot, "lint", "--pattern", "infra/**/*.bicep");

        Assert.True(run.IsClean, run.Describe());
    }
}

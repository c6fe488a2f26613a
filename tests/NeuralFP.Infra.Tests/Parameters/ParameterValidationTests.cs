using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Parameters;

/// <summary>The template asks for a name prefix it can build valid names from, and defaults the location to the resource group's.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ParameterValidationTests(InfrastructureFixture infra)
{
    [Fact]
    public void NamePrefixIsRequiredAndBoundedInLength()
    {
        var prefix = infra.Template.Parameter("namePrefix");

        Assert.False(prefix.TryGetProperty("defaultValue", out _), "namePrefix must be given.");
        Assert.Equal(3, prefix.GetProperty("minLength").GetInt32());
        Assert.Equal(InfrastructureFixture.LongestPrefix.Length, prefix.GetProperty("maxLength").GetInt32());
    }

    [Fact]
    public void LocationDefaultsToTheResourceGroups()
    {
        var location = infra.Template.Parameter("location");

        Assert.Equal("[resourceGroup().location]", location.GetProperty("defaultValue").GetString());
        Assert.All(
            infra.Initial.Resources.Where(r => r.Json.TryGetProperty("location", out _)),
            r => Assert.Equal(DeploymentSnapshot.Location, r.String("location")));
    }

    [Fact]
    public async Task PrefixLongerThanTheLimitIsRejectedBeforeDeployment()
    {
        var (run, snapshot) = await DeploymentSnapshot.CreateAsync(
            infra.Bicep,
            infra.ScratchDirectory,
            "too-long",
            new Dictionary<string, string> { ["namePrefix"] = $"'{InfrastructureFixture.LongestPrefix}x'" });

        Assert.Null(snapshot);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("BCP332", run.StandardError);
    }

    [Fact]
    public void EveryResourceNameStartsWithThePrefix()
    {
        var named = infra.Initial.Resources
            .Where(r => r.Json.TryGetProperty("location", out _))
            .Select(r => r.Name)
            .ToList();

        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.StartsWith(InfrastructureFixture.DefaultPrefix, n, StringComparison.OrdinalIgnoreCase));
    }
}

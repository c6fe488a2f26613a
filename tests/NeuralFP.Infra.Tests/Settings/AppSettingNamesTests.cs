using NeuralFP.Infra.Tests.Support;

namespace NeuralFP.Infra.Tests.Settings;

/// <summary>The templates set every setting the app needs in Azure, under the names the app reads, and no other.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AppSettingNamesTests(InfrastructureFixture infra)
{
    [Fact]
    public void EveryRequiredSettingIsSet()
    {
        var set = infra.Initial.AppSettingNames().ToHashSet();

        var missing = AzureSettings.Required.Where(name => !set.Contains(name)).ToList();

        Assert.True(missing.Count == 0, $"Not set by the templates: {string.Join(", ", missing)}");
    }

    [Fact]
    public void EverySetNameIsOneTheAppReads()
    {
        var known = AzureSettings.AllKnownNames().ToHashSet();

        var unknown = infra.Initial.AppSettingNames().Where(name => !known.Contains(name)).ToList();

        Assert.True(unknown.Count == 0, $"Set but not in SettingNames (typo, or add it there): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void NoSettingIsSetTwice()
    {
        var names = infra.Initial.AppSettingNames();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void EverySettingNameTheAppKnowsIsEitherSetOrLeftOutForAReason()
    {
        var unclassified = AzureSettings.AllKnownNames()
            .Where(name => !AzureSettings.Required.Contains(name) && !AzureSettings.NotSetInAzure.ContainsKey(name))
            .ToList();

        Assert.True(
            unclassified.Count == 0,
            $"Decide whether Azure needs these (AzureSettings.Required) or not (AzureSettings.NotSetInAzure): {string.Join(", ", unclassified)}");
    }

    [Fact]
    public void SettingsLeftOutAreNotSet()
    {
        var set = infra.Initial.AppSettingNames().ToHashSet();

        Assert.DoesNotContain(set, AzureSettings.NotSetInAzure.ContainsKey);
    }
}
